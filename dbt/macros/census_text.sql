{#- A number of an offline Census product landed as text: blank and SAIPE's '.' (no estimate)
    are null; anything else must cast ('6604.0' casts to bigint 6604), so a stray footnote fails
    the build naming the value instead of becoming a silent null. -#}
{% macro census_number(column, type) -%}
    cast(nullif(nullif(trim("{{ column }}"), '.'), '') as {{ type }})
{%- endmacro %}
