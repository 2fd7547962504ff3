-- A date and campaign left twice in staging would count its spend twice in the marts.
select
    date,
    campaign,
    count(*) as rows

from {{ ref('stg_marketing__spend') }}
group by date, campaign
having count(*) > 1
