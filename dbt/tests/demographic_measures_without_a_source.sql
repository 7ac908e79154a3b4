{#- Demographic measures the build's product has no source for (uninsured offline; B27010
    before ACS 2012; under-18 cells an older ACS cache lacks): they are null in the marts and
    the composite re-weights around them. Listed as a warning so latest.json says so. -#}
{{ config(tags=['reference'], severity='warn') }}

select measure, product, vintage
from {{ source('run', 'demographic_sources') }}
where source_label is null
