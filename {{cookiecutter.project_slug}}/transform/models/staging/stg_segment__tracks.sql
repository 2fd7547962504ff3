with

source as (

    select * from {{ source('segment', 'segment_events') }}

),

tracks as (

    select
        {{ segment_common_fields('payload') }},
        {{ json_text('payload', 'event') }} as event_text,
        {{ json_text('payload', 'properties.category') }} as event_category,
        {{ json_text('payload', 'properties.action') }} as event_action,
        {{ json_text('payload', 'properties.label') }} as event_label,
        -- A sent value that slipped past the load step's checks reads as null, not a failed build.
        try_cast({{ json_text('payload', 'properties.value') }} as double) as event_value,
        {{ json_text('payload', 'context.page.path') }} as context_page_path,
        _loaded_at

    from source
    where {{ json_text('payload', 'type') }} = 'track'

),

ranked as (

    -- A client retry or re-sent traffic delivers the same messageId again: keep the first receipt.
    select
        *,
        row_number() over (partition by id order by received_at, _loaded_at) as receipt

    from tracks

),

final as (

    select
        id,
        anonymous_id,
        user_id,
        -- Segment's warehouse layout: `event` is the slug of the name, `event_text` the name itself.
        replace(lower(trim(event_text)), ' ', '_') as event,
        event_text,
        event_category,
        event_action,
        event_label,
        event_value,
        context_campaign_name,
        context_campaign_source,
        context_campaign_medium,
        context_page_path,
        received_at,
        sent_at,
        timestamp,
        original_timestamp

    from ranked
    where receipt = 1

)

select * from final
