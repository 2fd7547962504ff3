with

events as (

    select * from {{ ref('int_events_stitched') }}

),

first_days as (

    select
        person_id,
        min(activity_date) as first_activity_date

    from events
    group by person_id

),

active as (

    select
        activity_date,
        count(distinct person_id) as active_users

    from events
    group by activity_date

),

new as (

    select
        first_activity_date as activity_date,
        count(*) as new_users

    from first_days
    group by first_activity_date

),

final as (

    select
        active.activity_date,
        active.active_users,
        coalesce(new.new_users, 0) as new_users

    from active
    left join new
        on active.activity_date = new.activity_date

)

select * from final
order by activity_date
