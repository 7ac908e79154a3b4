{#- Fails on values that are not exactly `digits` ASCII digits (state 2, county 5). -#}
{% test is_fips_code(model, column_name, digits=5) %}

select {{ column_name }} as invalid_fips
from {{ model }}
where {{ column_name }} is not null
  and not regexp_full_match({{ column_name }}, '[0-9]{{ '{' ~ digits ~ '}' }}')

{% endtest %}
