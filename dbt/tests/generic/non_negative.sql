{#- Fails on negative values (populations, counts, rates). Null is allowed: "not known". -#}
{% test non_negative(model, column_name) %}

select {{ column_name }} as negative_value
from {{ model }}
where {{ column_name }} < 0

{% endtest %}
