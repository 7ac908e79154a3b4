{#- Fails on groups whose weights do not add up to 1 (within a rounding tolerance), e.g. a
    provider's county allocation weights: otherwise a provider is counted more or less than once. -#}
{% test sums_to_one(model, column_name, group_by=[], tolerance=1e-9) %}

select
    {%- for column in group_by %} {{ column }},{% endfor %}
    sum({{ column_name }}) as total_weight
from {{ model }}
{%- if group_by %}
group by {{ group_by | join(', ') }}
{%- endif %}
having abs(sum({{ column_name }}) - 1) > {{ tolerance }}

{% endtest %}
