with

source as (

    select * from {{ source('segment', 'segment_events') }}

),

pages as (

    select
        {{ segment_common_fields('payload') }},
        {{ json_text('payload', 'name') }} as name,
        coalesce(
            {{ json_text('payload', 'properties.path') }},
            {{ json_text('payload', 'context.page.path') }}
        ) as path,
        coalesce(
            {{ json_text('payload', 'properties.url') }},
            {{ json_text('payload', 'context.page.url') }}
        ) as url,
        coalesce(
            {{ json_text('payload', 'properties.referrer') }},
            {{ json_text('payload', 'context.page.referrer') }}
        ) as referrer,
        _loaded_at

    from source
    where {{ json_text('payload', 'type') }} = 'page'

),

ranked as (

    -- A client retry or re-sent traffic delivers the same messageId again: keep the first receipt.
    select
        *,
        row_number() over (partition by id order by received_at, _loaded_at) as receipt

    from pages

),

final as (

    select
        id,
        anonymous_id,
        user_id,
        name,
        path,
        url,
        referrer,
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
