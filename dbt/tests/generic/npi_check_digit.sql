{#- Fails on NPIs that are not 10 digits or whose last digit is not the Luhn check digit
    computed over the prefix 80840 + the first nine digits (CMS NPI check digit standard).
    The prefix's contribution is the constant 24. Integer arithmetic keeps it cheap at 9 M rows. -#}
{% test npi_check_digit(model, column_name) %}

{%- set terms = [] %}
{%- for k in range(10) %}
    {%- set digit = '((' ~ column_name ~ ' // ' ~ (10 ** k) ~ ') % 10)' %}
    {%- if k % 2 == 1 %}
        {%- do terms.append('(case when ' ~ digit ~ ' * 2 > 9 then ' ~ digit ~ ' * 2 - 9 else ' ~ digit ~ ' * 2 end)') %}
    {%- else %}
        {%- do terms.append(digit) %}
    {%- endif %}
{%- endfor %}

select {{ column_name }} as invalid_npi
from {{ model }}
where {{ column_name }} is not null
  and (
      {{ column_name }} not between 1000000000 and 9999999999
      or (24 + {{ terms | join(' + ') }}) % 10 != 0
  )

{% endtest %}
