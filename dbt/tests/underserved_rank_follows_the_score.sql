{#- The rank is 1..n over the scored counties, null exactly where the score is null, and never
    puts a lower score (or, at equal scores, a smaller population) ahead of a higher one. -#}
with

ranked as (

    select
        *,
        lag(underserved_score) over (order by underserved_rank) as previous_score,
        lag(total_population) over (order by underserved_rank) as previous_population,
        row_number() over (order by underserved_rank) as position
    from {{ ref('fct_underserved_counties') }}
    where underserved_rank is not null

)

select county_fips, underserved_rank, underserved_score, 'rank without a score' as problem
from {{ ref('fct_underserved_counties') }}
where (underserved_rank is null) != (underserved_score is null)

union all

select county_fips, underserved_rank, underserved_score, 'rank out of order or not contiguous'
from ranked
where underserved_rank != position
    or underserved_score > previous_score
    or (underserved_score = previous_score and total_population > previous_population)
