with

events as (

    select * from {{ ref('int_events_stitched') }}

),

touches as (

    select * from {{ ref('int_campaign_touches') }}

),

conversions as (

    -- The tracking plan marks which events are conversions; their `value` is the revenue.
    select
        event_id as conversion_id,
        person_id,
        user_id,
        event_name,
        occurred_at as converted_at,
        coalesce(event_value, 0) as revenue

    from events
    where event_type = 'track'
        and event_name in (
            {%- for event_name in var('conversion_events') %}
            '{{ event_name | replace("'", "''") }}'{{ "," if not loop.last }}
            {%- endfor %}
        )

),

touches_before_conversion as (

    select
        conversions.conversion_id,
        touches.campaign,
        touches.source,
        touches.medium,
        row_number() over (
            partition by conversions.conversion_id
            order by touches.touched_at desc, touches.touch_id
        ) as recency

    from conversions
    inner join touches
        on conversions.person_id = touches.person_id
        and touches.touched_at <= conversions.converted_at

),

final as (

    -- Last touch: the campaign of the person's latest campaign visit up to the conversion.
    select
        conversions.conversion_id,
        conversions.person_id,
        conversions.user_id,
        conversions.event_name,
        conversions.converted_at,
        conversions.revenue,
        last_touches.campaign,
        last_touches.source,
        last_touches.medium

    from conversions
    left join touches_before_conversion as last_touches
        on conversions.conversion_id = last_touches.conversion_id
        and last_touches.recency = 1

)

select * from final
