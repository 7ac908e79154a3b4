{#- Layers get plain schema names (staging, intermediate, marts, reference) instead of
    dbt's default <target_schema>_<custom>: the warehouse is ours alone. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
