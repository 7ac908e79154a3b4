{#- Fails on groups where more than one row has the flag set, e.g. two primary taxonomies
    on one NPPES record. -#}
{% test at_most_one_true(model, column_name, group_by) %}

select {{ group_by | join(', ') }}, count(*) as flagged_rows
from {{ model }}
where {{ column_name }}
group by {{ group_by | join(', ') }}
having count(*) > 1

{% endtest %}
