with

source as (

    select * from {{ source('marketing', 'marketing_spend') }}

),

renamed as (

    -- A malformed figure reads as null rather than failing the build; not_null tests name it.
    select
        try_cast({{ json_text('payload', 'date') }} as date) as date,
        {{ json_text('payload', 'campaign') }} as campaign,
        {{ json_text('payload', 'source') }} as source,
        {{ json_text('payload', 'medium') }} as medium,
        try_cast({{ json_text('payload', 'spend') }} as double) as spend,
        try_cast({{ json_text('payload', 'impressions') }} as bigint) as impressions,
        try_cast({{ json_text('payload', 'clicks') }} as bigint) as clicks,
        upper({{ json_text('payload', 'currency') }}) as currency,
        _loaded_at,
        _file,
        _line

    from source

),

ranked as (

    -- A re-extracted day restates that day's figures: the latest load of a date and campaign wins.
    select
        *,
        row_number() over (
            partition by date, campaign
            order by _loaded_at desc, _file desc, _line desc
        ) as recency

    from renamed

),

final as (

    select
        date,
        campaign,
        source,
        medium,
        spend,
        impressions,
        clicks,
        currency,
        _loaded_at as loaded_at

    from ranked
    where recency = 1

)

select * from final
