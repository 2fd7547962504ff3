{#-
    Read one value out of a Segment payload by a dotted path such as 'context.campaign.name'.
    Warehouses spell JSON paths differently, so each adapter gets its own implementation.
-#}

{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text')(column, path)) }}
{%- endmacro %}

{#- DuckDB's form; other adapters that share it need nothing of their own. -#}
{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '$.{{ path }}')
{%- endmacro %}

{% macro snowflake__json_text(column, path) -%}
    {{ column }}:"{{ path.split('.') | join('"."') }}"::varchar
{%- endmacro %}


{#- An ISO-8601 timestamp from the payload, as a UTC timestamp without time zone (null if malformed). -#}

{% macro json_timestamp(column, path) -%}
    {{ return(adapter.dispatch('json_timestamp')(column, path)) }}
{%- endmacro %}

{% macro default__json_timestamp(column, path) -%}
    cast({{ json_text(column, path) }} as timestamp)
{%- endmacro %}

{% macro duckdb__json_timestamp(column, path) -%}
    timezone('UTC', try_cast({{ json_text(column, path) }} as timestamptz))
{%- endmacro %}

{% macro snowflake__json_timestamp(column, path) -%}
    convert_timezone('UTC', try_to_timestamp_tz({{ json_text(column, path) }}))::timestamp_ntz
{%- endmacro %}
