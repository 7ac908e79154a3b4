{#- The allocation mode the models compiled with (macro location_allocation_mode, from the
    runner's environment) is the run's (run_inputs.build.location_allocation, in the reference
    fingerprint): a dbt invocation with another mode than its plan's fails here. -#}
select location_allocation, '{{ location_allocation_mode() }}' as compiled_mode
from {{ ref('stg_run__build') }}
where location_allocation != '{{ location_allocation_mode() }}'
