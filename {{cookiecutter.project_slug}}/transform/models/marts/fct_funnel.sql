with

steps as (

    -- The funnel's steps, in the tracking plan's order (the `funnel_steps` var).
    select * from (
        values
        {%- for step in var('funnel_steps') %}
        (
            {{ step.funnel_step }},
            '{{ step.event_category | replace("'", "''") }}',
            '{{ step.event_action | replace("'", "''") }}',
            '{{ step.event_name | replace("'", "''") }}'
        ){{ "," if not loop.last }}
        {%- endfor %}
    ) as steps (funnel_step, event_category, event_action, event_name)

),

events as (

    select * from {{ ref('int_events_stitched') }}
    where event_type = 'track'

),

reached as (

    -- Limitation: a person counts at a step without having done the steps before it, because
    -- the marts report reach per step; an ordered funnel would compare each person's step times.
    select
        steps.funnel_step,
        steps.event_category,
        steps.event_action,
        steps.event_name,
        count(distinct events.person_id) as users,
        count(events.event_id) as events

    from steps
    left join events
        on steps.event_category = events.event_category
        and steps.event_action = events.event_action
    group by
        steps.funnel_step,
        steps.event_category,
        steps.event_action,
        steps.event_name

),

final as (

    select
        cast(funnel_step as integer) as funnel_step,
        event_category,
        event_action,
        event_name,
        users,
        events,
        cast(users as double)
            / nullif(first_value(users) over (order by funnel_step), 0) as conversion_from_first

    from reached

)

select * from final
order by funnel_step
