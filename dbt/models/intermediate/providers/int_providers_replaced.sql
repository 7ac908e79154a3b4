{#- Rows of int_providers_classified this run replaces (its NPIs changed in
    int_providers_merged), as they were: read before int_providers_classified deletes them
    (it names this model in a depends_on, and this model reads it without a ref, which would
    be a cycle). The state and county sums subtract them (allocated to counties as
    int_provider_locations_allocated did), and int_chr_providers_counted their CHR groups,
    instead of re-reading every NPI. No rows on a re-baseline or before
    int_providers_classified exists. -#}
-- depends_on: {{ ref('stg_run__build') }}  (run_value() may sit in a conditional block)
{{ config(materialized='table') }}

{%- set columns = {
    'npi': 'bigint', 'state_fips': 'varchar', 'applied_run_id': 'varchar', 'is_active': 'boolean',
    'is_individual': 'boolean', 'location_class': 'varchar', 'practice_state_code': 'varchar',
    'practice_country_code': 'varchar', 'practice_zip5': 'varchar', 'taxonomy_grouping': 'varchar',
    'taxonomy_classification': 'varchar', 'specialty_groups': 'varchar[]', 'is_clinician': 'boolean',
    'is_resident': 'boolean', 'is_stale': 'boolean', 'entity_type_code': 'varchar', 'slot_one_taxonomy_code': 'varchar',
} %}
{%- set changed -%}
    select npi from {{ ref('int_providers_merged') }} where applied_run_id = {{ run_value('run_id') }}
{%- endset %}
{%- set classified = adapter.get_relation(database=this.database, schema=this.schema, identifier='int_providers_classified') %}

{%- if execute and classified is not none and not flags.FULL_REFRESH %}

select {{ columns.keys() | join(', ') }}
from {{ classified }}
where npi in ({{ changed }})

{%- else %}

select
    {%- for name, type in columns.items() %}
    cast(null as {{ type }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
where false

{%- endif %}
