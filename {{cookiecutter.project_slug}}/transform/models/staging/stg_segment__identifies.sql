with

source as (

    select * from {{ source('segment', 'segment_events') }}

),

identifies as (

    select
        {{ segment_common_fields('payload') }},
        {{ json_text('payload', 'traits.email') }} as email,
        {{ json_text('payload', 'traits.plan') }} as plan,
        -- Segment's reserved trait createdAt; like Segment's loader, take created_at as the same.
        coalesce(
            {{ json_timestamp('payload', 'traits.createdAt') }},
            {{ json_timestamp('payload', 'traits.created_at') }}
        ) as created_at,
        _loaded_at

    from source
    where {{ json_text('payload', 'type') }} = 'identify'

),

ranked as (

    -- A client retry or re-sent traffic delivers the same messageId again: keep the first receipt.
    select
        *,
        row_number() over (partition by id order by received_at, _loaded_at) as receipt

    from identifies

),

final as (

    select
        id,
        anonymous_id,
        user_id,
        email,
        plan,
        created_at,
        context_campaign_name,
        context_campaign_source,
        context_campaign_medium,
        received_at,
        sent_at,
        timestamp,
        original_timestamp

    from ranked
    where receipt = 1

)

select * from final
