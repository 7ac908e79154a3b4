{#- Rows of int_providers_classified this run replaces (its NPIs changed in
    int_providers_merged), read before int_providers_classified deletes them: the state and
    county sums subtract them (allocated to counties as int_provider_locations_allocated did).
    Empty on a re-baseline. -#}
{{ config(materialized='table') }}

{{ rows_replaced('int_providers_classified', {
    'npi': 'bigint', 'state_fips': 'varchar', 'applied_run_id': 'varchar', 'is_active': 'boolean',
    'is_individual': 'boolean', 'location_class': 'varchar', 'practice_state_code': 'varchar',
    'practice_country_code': 'varchar', 'practice_zip5': 'varchar', 'taxonomy_classification': 'varchar',
    'specialty_groups': 'varchar[]',
}) }}
