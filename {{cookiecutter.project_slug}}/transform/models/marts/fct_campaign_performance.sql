with

spend as (

    select * from {{ ref('stg_marketing__spend') }}

),

conversions as (

    select * from {{ ref('int_conversions_attributed') }}

),

spend_per_campaign as (

    select
        campaign,
        source,
        medium,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(clicks) as clicks

    from spend
    group by campaign, source, medium

),

conversions_per_campaign as (

    select
        campaign,
        source,
        medium,
        count(*) as conversions,
        sum(revenue) as revenue

    from conversions
    where campaign is not null
    group by campaign, source, medium

),

joined as (

    -- Limitation: spend and revenue are summed as they come, because the sample bills and sells in
    -- one currency; several currencies would need a daily exchange-rate source to convert first.
    select
        coalesce(spend_per_campaign.campaign, conversions_per_campaign.campaign) as campaign,
        coalesce(spend_per_campaign.source, conversions_per_campaign.source) as source,
        coalesce(spend_per_campaign.medium, conversions_per_campaign.medium) as medium,
        coalesce(spend_per_campaign.spend, 0) as spend,
        coalesce(spend_per_campaign.impressions, 0) as impressions,
        coalesce(spend_per_campaign.clicks, 0) as clicks,
        coalesce(conversions_per_campaign.conversions, 0) as conversions,
        coalesce(conversions_per_campaign.revenue, 0) as revenue

    from spend_per_campaign
    full outer join conversions_per_campaign
        on spend_per_campaign.campaign = conversions_per_campaign.campaign
        and spend_per_campaign.source = conversions_per_campaign.source
        and spend_per_campaign.medium = conversions_per_campaign.medium

),

final as (

    select
        campaign,
        source,
        medium,
        cast(spend as double) as spend,
        cast(impressions as bigint) as impressions,
        cast(clicks as bigint) as clicks,
        cast(conversions as bigint) as conversions,
        cast(revenue as double) as revenue,
        cast(spend as double) / nullif(conversions, 0) as cost_per_conversion,
        cast(revenue as double) / nullif(spend, 0) as return_on_ad_spend

    from joined

)

select * from final
order by campaign, source, medium
