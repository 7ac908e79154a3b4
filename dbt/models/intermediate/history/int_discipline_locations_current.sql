{#- Where each provider of an access discipline (seed access_disciplines) is counted now: the
    county weights of int_provider_locations_allocated (active individuals, weights summing to 1
    per provider over its counties) by discipline, as exact decimals so that sums of differences
    equal differences of sums. applied_run_id: the run that wrote the provider's rows (a weekly
    run rewrites only the NPIs it changed). The supply history's weekly steps read the rows of
    the NPIs they compare through the same macro, filtered before the aggregation. -#}

{{ discipline_locations() }}
