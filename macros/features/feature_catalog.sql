{% macro feature_catalog() %}
    {#-
        Every feature a user may name in var('features'), what kind it is and
        which input columns it needs. `family` drives the transformation rules in
        ml_feature_scaling: money and count features are log-transformed when
        skewed; ratios, days and scores never are.
    -#}
    {{ return({
        'recency_days':          {'kind': 'numeric', 'family': 'days',  'needs': {'orders': ['order_date']}},
        'frequency':             {'kind': 'numeric', 'family': 'count', 'needs': {'orders': ['order_id']}},
        'monetary':              {'kind': 'numeric', 'family': 'money', 'needs': {'orders': ['amount']}},
        'avg_order_value':       {'kind': 'numeric', 'family': 'money', 'needs': {'orders': ['amount']}},
        'tenure_days':           {'kind': 'numeric', 'family': 'days',  'needs': {'orders': ['order_date'], 'customers': ['signup_date']}},
        'purchase_cadence_days': {'kind': 'numeric', 'family': 'days',  'needs': {'orders': ['order_date']}},
        'return_rate':           {'kind': 'numeric', 'family': 'ratio', 'needs': {'orders': ['amount']}},
        'age':                   {'kind': 'numeric', 'family': 'years', 'needs': {'customers': ['age', 'birth_date']}},
        'annual_income':         {'kind': 'numeric', 'family': 'money', 'needs': {'customers': ['annual_income']}},
        'spending_score':        {'kind': 'numeric', 'family': 'score', 'needs': {'customers': ['spending_score']}},
        'gender':                {'kind': 'categorical', 'family': 'category', 'needs': {'customers': ['gender']}},
        'country':               {'kind': 'categorical', 'family': 'category', 'needs': {'customers': ['country']}},
        'category_mix':          {'kind': 'share', 'family': 'ratio', 'needs': {'orders': ['category']}},
    }) }}
{% endmacro %}


{% macro default_behaviour_features() %}
    {{ return(['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days', 'return_rate']) }}
{% endmacro %}


{% macro default_attribute_features() %}
    {{ return(['age', 'annual_income', 'spending_score']) }}
{% endmacro %}


{% macro available_input_columns() %}
    {#-
        {'customers': [...], 'orders': [...]}: the canonical columns the input
        provides. The demo seeds provide all of them.
    -#}
    {%- set entities = input_entities() -%}
    {%- set available = {} -%}
    {%- for entity, spec in entities.items() -%}
        {%- if input_kind() == 'demo' -%}
            {%- do available.update({entity: spec.required + spec.optional}) -%}
        {%- elif input_object(entity) is none -%}
            {%- do available.update({entity: []}) -%}
        {%- else -%}
            {%- do available.update({entity: input_column_mapping(entity).keys() | list}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(available) }}
{% endmacro %}


{% macro feature_is_available(feature_name, available) %}
    {#- A feature is available when any column it needs is present. -#}
    {%- set needs = feature_catalog()[feature_name].needs -%}
    {%- for entity, columns in needs.items() -%}
        {%- for column in columns -%}
            {%- if column in available[entity] -%}
                {{ return(true) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}


{% macro selected_features() %}
    {#-
        The clustering features of this run, as
        {'names': [...], 'explicit': bool}. Explicit names come from
        var('features') and are validated; otherwise the default is behaviour
        (RFM, order value, tenure, returns) when there are orders, and the
        numeric customer attributes when there are none.
    -#}
    {%- set catalog = feature_catalog() -%}
    {%- set requested = var('features') -%}
    {%- if not execute -%}
        {{ return({'names': default_behaviour_features(), 'explicit': false}) }}
    {%- endif -%}
    {%- set available = available_input_columns() -%}
    {%- if requested -%}
        {%- if requested is string -%}
            {%- set requested = requested.split(',') | map('trim') | list -%}
        {%- endif -%}
        {%- for name in requested -%}
            {%- if name not in catalog -%}
                {{ exceptions.raise_compiler_error(
                    "var 'features' names an unknown feature '" ~ name ~ "'. Known features: "
                    ~ (catalog.keys() | sort | join(', ')) ~ ".") }}
            {%- endif -%}
            {%- if not feature_is_available(name, available) -%}
                {%- set needs = [] -%}
                {%- for entity, columns in catalog[name].needs.items() -%}
                    {%- do needs.append(entity ~ '.' ~ (columns | join(' or ' ~ entity ~ '.'))) -%}
                {%- endfor -%}
                {{ exceptions.raise_compiler_error(
                    "Feature '" ~ name ~ "' needs column " ~ (needs | join(' or ')) ~ ", which "
                    ~ input_description(catalog[name].needs.keys() | list | first)
                    ~ " does not have (map a column to it with var 'column_map').") }}
            {%- endif -%}
        {%- endfor -%}
        {{ return({'names': requested | unique | list, 'explicit': true}) }}
    {%- endif -%}
    {%- if available['orders'] -%}
        {{ return({'names': default_behaviour_features(), 'explicit': false}) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for name in default_attribute_features() -%}
        {%- if feature_is_available(name, available) -%}
            {%- do names.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not names -%}
        {{ exceptions.raise_compiler_error(
            "Nothing to cluster on: " ~ input_description('customers') ~ " has none of the columns "
            ~ (default_attribute_features() | join(', ')) ~ " and there is no orders file. "
            ~ "Add orders, map a column with var 'column_map', or name features with var 'features'.") }}
    {%- endif -%}
    {{ return({'names': names, 'explicit': false}) }}
{% endmacro %}


{% macro profile_features() %}
    {#- The numeric features every profile and the customer dimension carry, in business units. -#}
    {{ return(['recency_days', 'frequency', 'monetary', 'avg_order_value', 'tenure_days',
               'purchase_cadence_days', 'return_rate', 'age', 'annual_income', 'spending_score']) }}
{% endmacro %}


{% macro has_orders_input() %}
    {#-
        True when the run reads orders (the demo's, or an orders file in
        var input_dir). With orders, customers without a completed purchase
        are the "No Purchase Yet" segment rather than clustered (see
        no_purchase_segment_id); without, every customer is clustered on
        their attributes.
    -#}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {{ return(available_input_columns()['orders'] | length > 0) }}
{% endmacro %}


{% macro no_purchase_segment_id() %}
    {#-
        The segment id of customers with no completed purchase (only cancelled
        or returned orders, or none): a group of their own, outside the
        clusters. Ids of 0 and below are such reserved groups (0 is DBSCAN's
        noise); clusters are numbered from 1.
    -#}
    {{ return(-1) }}
{% endmacro %}
