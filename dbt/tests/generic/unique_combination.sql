{#- Fails on duplicated combinations of the columns (the model's grain). -#}
{% test unique_combination(model, columns) %}

select {{ columns | join(', ') }}, count(*) as rows_in_group
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
