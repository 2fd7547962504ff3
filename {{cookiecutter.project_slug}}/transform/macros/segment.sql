{#-
    The fields every Segment call carries, named as in Segment's warehouse layout: who, which
    campaign brought them, and when. Each staging model selects these, then its own fields.
-#}

{% macro segment_common_fields(column) -%}
        {{ json_text(column, 'messageId') }} as id,
        {{ json_text(column, 'anonymousId') }} as anonymous_id,
        {{ json_text(column, 'userId') }} as user_id,
        {{ json_text(column, 'context.campaign.name') }} as context_campaign_name,
        {{ json_text(column, 'context.campaign.source') }} as context_campaign_source,
        {{ json_text(column, 'context.campaign.medium') }} as context_campaign_medium,
        {{ json_timestamp(column, 'receivedAt') }} as received_at,
        {{ json_timestamp(column, 'sentAt') }} as sent_at,
        {{ json_timestamp(column, 'timestamp') }} as timestamp,
        {{ json_timestamp(column, 'originalTimestamp') }} as original_timestamp
{%- endmacro %}
