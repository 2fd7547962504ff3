with

events as (

    select * from {{ ref('int_events_stitched') }}

),

final as (

    select
        event_id as touch_id,
        person_id,
        user_id,
        campaign,
        source,
        medium,
        occurred_at as touched_at

    from events
    where campaign is not null

)

select * from final
