with

tracks as (

    select * from {{ ref('stg_segment__tracks') }}

),

pages as (

    select * from {{ ref('stg_segment__pages') }}

),

anonymous_ids as (

    select * from {{ ref('int_anonymous_ids_mapped_to_users') }}

),

events as (

    select
        id as event_id,
        'track' as event_type,
        anonymous_id,
        user_id,
        event_text as event_name,
        event_category,
        event_action,
        event_value,
        context_campaign_name as campaign,
        context_campaign_source as source,
        context_campaign_medium as medium,
        coalesce(timestamp, received_at) as occurred_at

    from tracks

    union all

    select
        id as event_id,
        'page' as event_type,
        anonymous_id,
        user_id,
        name as event_name,
        null as event_category,
        null as event_action,
        null as event_value,
        context_campaign_name as campaign,
        context_campaign_source as source,
        context_campaign_medium as medium,
        coalesce(timestamp, received_at) as occurred_at

    from pages

),

stitched as (

    -- Events sent before the user identified themselves are theirs too, through the anonymous id.
    select
        events.*,
        coalesce(events.user_id, anonymous_ids.user_id) as stitched_user_id

    from events
    left join anonymous_ids
        on events.anonymous_id = anonymous_ids.anonymous_id

),

final as (

    select
        event_id,
        event_type,
        coalesce(stitched_user_id, anonymous_id) as person_id,
        stitched_user_id as user_id,
        anonymous_id,
        event_name,
        event_category,
        event_action,
        event_value,
        campaign,
        source,
        medium,
        occurred_at,
        cast(occurred_at as date) as activity_date

    from stitched

)

select * from final
