with

tracks as (

    select * from {{ ref('stg_segment__tracks') }}

),

pages as (

    select * from {{ ref('stg_segment__pages') }}

),

identifies as (

    select * from {{ ref('stg_segment__identifies') }}

),

sightings as (

    select anonymous_id, user_id, timestamp from tracks
    union all
    select anonymous_id, user_id, timestamp from pages
    union all
    select anonymous_id, user_id, timestamp from identifies

),

ranked as (

    -- A shared device can carry several users: the anonymous history belongs to the first of them.
    select
        anonymous_id,
        user_id,
        row_number() over (partition by anonymous_id order by timestamp) as sighting

    from sightings
    where anonymous_id is not null
        and user_id is not null

),

final as (

    select
        anonymous_id,
        user_id

    from ranked
    where sighting = 1

)

select * from final
