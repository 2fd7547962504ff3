with

events as (

    select * from {{ ref('int_events_stitched') }}

),

identifies as (

    select * from {{ ref('stg_segment__identifies') }}

),

touches as (

    select * from {{ ref('int_campaign_touches') }}

),

sightings as (

    select user_id, occurred_at as seen_at from events
    union all
    select user_id, timestamp as seen_at from identifies

),

first_seen as (

    select
        user_id,
        min(seen_at) as first_seen_at

    from sightings
    where user_id is not null
    group by user_id

),

signups as (

    select
        user_id,
        min(created_at) as signed_up_at

    from identifies
    group by user_id

),

plans as (

    -- The latest identify that names a plan holds the user's current plan.
    select
        user_id,
        plan,
        row_number() over (partition by user_id order by timestamp desc) as recency

    from identifies
    where plan is not null

),

first_touches as (

    select
        user_id,
        campaign,
        row_number() over (partition by user_id order by touched_at, touch_id) as touch

    from touches
    where user_id is not null

),

final as (

    select
        first_seen.user_id,
        first_seen.first_seen_at,
        signups.signed_up_at,
        plans.plan,
        first_touches.campaign as first_campaign

    from first_seen
    left join signups
        on first_seen.user_id = signups.user_id
    left join plans
        on first_seen.user_id = plans.user_id
        and plans.recency = 1
    left join first_touches
        on first_seen.user_id = first_touches.user_id
        and first_touches.touch = 1

)

select * from final
