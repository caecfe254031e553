{#-
    One rule per var: what kind of value it takes and its bounds. Every var
    is checked before any model runs (validate_vars, on-run-start), and a
    model that writes a var into SQL reads it through checked_var, which
    returns the parsed value (a number as a number, a date re-printed as
    YYYY-MM-DD, a single status as a list of one). A value that breaks its
    rule stops the build with a message naming the var, never a database
    error halfway through.
-#}

{% macro var_rules() %}
    {#- csv_encoding: the encodings DuckDB's CSV reader has built in (others need an extension). -#}
    {{ return({
        'input_dir': {'kind': 'text', 'nullable': true},
        'input_schema': {'kind': 'identifier', 'nullable': true},
        'input_database': {'kind': 'identifier', 'nullable': true},
        'input_customers_table': {'kind': 'identifier'},
        'input_orders_table': {'kind': 'identifier'},
        'input_customers_model': {'kind': 'identifier', 'nullable': true},
        'input_orders_model': {'kind': 'identifier', 'nullable': true},
        'column_map': {'kind': 'column_map'},
        'features': {'kind': 'text_list', 'nullable': true, 'split_commas': true},
        'as_of_date': {'kind': 'date', 'nullable': true},
        'return_statuses': {'kind': 'text_list'},
        'cancel_statuses': {'kind': 'text_list'},
        'null_tokens': {'kind': 'text_list'},
        'min_plausible_date': {'kind': 'date'},
        'max_plausible_amount': {'kind': 'number', 'min': 0, 'exclusive_min': true},
        'max_plausible_quantity': {'kind': 'number', 'min': 0, 'exclusive_min': true},
        'new_customer_days': {'kind': 'integer', 'min': 0},
        'outlier_lower_quantile': {'kind': 'number', 'min': 0, 'max': 1},
        'outlier_upper_quantile': {'kind': 'number', 'min': 0, 'max': 1},
        'log_transform_skewness': {'kind': 'number', 'min': 0},
        'max_onehot_levels': {'kind': 'integer', 'min': 1},
        'max_category_features': {'kind': 'integer', 'min': 0},
        'k_min': {'kind': 'integer', 'min': 2},
        'k_max': {'kind': 'integer', 'min': 2},
        'n_clusters': {'kind': 'integer', 'min': 2, 'nullable': true},
        'mode': {'kind': 'choice', 'choices': ['fit', 'score']},
        'segment_match_max_distance': {'kind': 'number', 'min': 0, 'exclusive_min': true},
        'segment_split_min_share': {'kind': 'number', 'min': 0, 'max': 1, 'exclusive_min': true},
        'drift_psi_threshold': {'kind': 'number', 'min': 0, 'exclusive_min': true},
        'drift_share_threshold': {'kind': 'number', 'min': 0, 'max': 1, 'exclusive_min': true},
        'eda_histogram_bins': {'kind': 'integer', 'min': 1, 'max': 1000},
        'fit_sample_size': {'kind': 'integer', 'min': 10},
        'value_holdout_days': {'kind': 'integer', 'min': 7, 'max': 3650},
        'value_discount_rate': {'kind': 'number', 'min': 0, 'max': 1},
        'silhouette_sample_size': {'kind': 'integer', 'min': 10},
        'gmm_sample_size': {'kind': 'integer', 'min': 10},
        'n_microclusters': {'kind': 'integer', 'min': 2},
        'random_seed': {'kind': 'integer', 'min': 0, 'max': 4294967295},
        'methods': {'kind': 'text_list', 'split_commas': true,
                    'allowed': clustering_methods().keys() | list},
        'primary_method': {'kind': 'choice', 'choices': clustering_methods().keys() | list,
                           'hint': 'a method of var methods; kprototypes only when categorical features are clustered on'},
        'segment_name_min_deviation': {'kind': 'number', 'min': 0},
        'at_risk_min_monetary_score': {'kind': 'integer', 'min': 1, 'max': 5},
        'at_risk_gap_multiple': {'kind': 'number', 'min': 0, 'exclusive_min': true},
        'at_risk_min_tenure_days': {'kind': 'integer', 'min': 0},
        'at_risk_min_recency_days': {'kind': 'integer', 'min': 0},
        'min_feature_variation': {'kind': 'number', 'min': 0},
        'rule_max_depth': {'kind': 'integer', 'min': 1, 'max': 10},
        'stability_bootstraps': {'kind': 'integer', 'min': 0, 'max': 100},
        'stability_sample_size': {'kind': 'integer', 'min': 10},
        'dbscan_eps': {'kind': 'number', 'min': 0, 'exclusive_min': true, 'nullable': true},
        'dbscan_min_samples': {'kind': 'integer', 'min': 1, 'nullable': true},
        'dbscan_sample_size': {'kind': 'integer', 'min': 10},
        'dbscan_representatives': {'kind': 'integer', 'min': 1},
        'cross_sell': {'kind': 'boolean'},
        'cross_sell_recommendations': {'kind': 'integer', 'min': 1},
        'cross_sell_min_penetration': {'kind': 'number', 'min': 0, 'max': 1},
        'date_formats': {'kind': 'date_format_list'},
        'csv_encoding': {'kind': 'choice', 'choices': ['utf-8', 'utf-16', 'latin-1'], 'lower': true,
                         'hint': 'latin-1 reads Windows-1252 files too, all but characters such as the'
                                 ~ ' euro sign and curly quotes; or save the files as UTF-8'},
        'export_dir': {'kind': 'text', 'nullable': true},
        'export_formats': {'kind': 'text_list', 'split_commas': true},
        'published_history_runs': {'kind': 'integer', 'min': 1, 'nullable': true},
        'published_raw_columns': {'kind': 'text_list', 'allowed': quarantine_input_columns()},
        'unmatched_order_lines_warn_share': {'kind': 'number', 'min': 0, 'max': 1},
        'continue_history': {'kind': 'boolean'},
        'allow_backfill': {'kind': 'boolean'},
    }) }}
{% endmacro %}


{% macro closest_var_name(name, known) %}
    {#- The known var most like name (Dice coefficient of letter pairs, at
        least 0.5), or none: enough to catch a typo or a missing underscore. -#}
    {%- set ns = namespace(best=none, score=0.5) -%}
    {%- set wanted = letter_pairs(name | lower) -%}
    {%- for candidate in known | sort -%}
        {%- set pairs = letter_pairs(candidate) -%}
        {%- set shared = namespace(count=0, left=pairs | list) -%}
        {%- for pair in wanted if pair in shared.left -%}
            {%- set shared.count = shared.count + 1 -%}
            {%- do shared.left.remove(pair) -%}
        {%- endfor -%}
        {%- set score = 2 * shared.count / ([wanted | length + pairs | length, 1] | max) -%}
        {%- if score >= ns.score -%}
            {%- set ns.best = candidate -%}
            {%- set ns.score = score -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(ns.best) }}
{% endmacro %}


{% macro letter_pairs(text) %}
    {%- set pairs = [] -%}
    {%- for i in range((text | length) - 1) -%}
        {%- do pairs.append(text[i:i + 2]) -%}
    {%- endfor -%}
    {{ return(pairs) }}
{% endmacro %}


{% macro checked_var(name) %}
    {#- var `name`, parsed and checked against its rule in var_rules. -#}
    {%- set rule = var_rules()[name] -%}
    {%- if not execute -%}
        {#- Parsing renders every model before on-run-start can name a bad
            var; nothing runs then, so a neutral value stands in. -#}
        {{ return({'text': '', 'text_list': [], 'date_format_list': [], 'column_map': {}, 'date': none, 'identifier': none,
                   'integer': rule.get('min', 0), 'number': rule.get('min', 0), 'boolean': false,
                   'choice': (rule.choices or [none])[0]}[rule.kind]) }}
    {%- endif -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or (value is string and value | trim == '' and rule.kind != 'text') -%}
        {%- if rule.get('nullable') -%}
            {{ return(none) }}
        {%- elif rule.kind in ('text_list', 'date_format_list', 'column_map') -%}
            {{ return({} if rule.kind == 'column_map' else []) }}
        {%- endif -%}
        {{ var_error(name, value, 'is required') }}
    {%- endif -%}
    {%- if rule.kind == 'text' -%} {{ return(var_check_text(name, value, rule)) }}
    {%- elif rule.kind == 'identifier' -%} {{ return(var_check_identifier(name, value, rule)) }}
    {%- elif rule.kind == 'text_list' -%} {{ return(var_check_text_list(name, value, rule)) }}
    {%- elif rule.kind == 'date_format_list' -%} {{ return(var_check_date_format_list(name, value, rule)) }}
    {%- elif rule.kind == 'column_map' -%} {{ return(var_check_column_map(name, value, rule)) }}
    {%- elif rule.kind == 'choice' -%} {{ return(var_check_choice(name, value, rule)) }}
    {%- elif rule.kind == 'boolean' -%} {{ return(var_check_boolean(name, value, rule)) }}
    {%- elif rule.kind == 'integer' -%} {{ return(var_check_integer(name, value, rule)) }}
    {%- elif rule.kind == 'number' -%} {{ return(var_check_number(name, value, rule)) }}
    {%- elif rule.kind == 'date' -%} {{ return(var_check_date(name, value, rule)) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("var_rules: unknown kind " ~ rule.kind ~ " for var " ~ name) }}
{% endmacro %}


{% macro var_error(name, value, problem) %}
    {%- set hint = var_rules()[name].get('hint') if name in var_rules() else none -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " = " ~ var_repr(value) ~ " " ~ problem ~ (" (" ~ hint ~ ")" if hint else "")
        ~ ". Vars are set in dbt_project.yml "
        ~ "or with --vars; see the vars table in the README.") }}
{% endmacro %}


{% macro var_repr(value) %}
    {#- How a message shows a var's value: text quoted and escaped, anything else as it is. -#}
    {{ return('"' ~ (value | replace('\\', '\\\\') | replace('"', '\\"')) ~ '"' if value is string else value | string) }}
{% endmacro %}


{% macro var_check_text(name, value, rule) %}
    {%- if value is not string -%}
        {{ var_error(name, value, 'must be text') }}
    {%- endif -%}
    {%- if modules.re.search('[\\x00-\\x1f]', value) -%}
        {{ var_error(name, value, 'holds a control character (a tab, a newline or a NUL)') }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}


{% macro var_check_identifier(name, value, rule) %}
    {#- A schema, database or table name written into SQL as it is: letters,
        digits and underscores, not starting with a digit. A name that needs
        quotes (spaces, dots, quotes) is refused rather than quoted, so no
        engine reads it differently; a view with a plain name over the table
        is the way round. -#}
    {%- if value is not string or not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]*', value) -%}
        {{ var_error(name, value, 'must be a plain name (letters, digits and underscores, not '
                     ~ 'starting with a digit); for a table whose name needs quotes, create a view '
                     ~ 'with a plain name over it') }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}


{% macro var_check_text_list(name, value, rule) %}
    {%- if value is string -%}
        {%- set value = value.split(',') | map('trim') | list if rule.get('split_commas') else [value] -%}
    {%- elif value is mapping or value is not iterable -%}
        {{ var_error(name, value, 'must be a list of text values, e.g. ["a", "b"]') }}
    {%- endif -%}
    {%- for item in value -%}
        {%- if item is not string or item | trim == '' -%}
            {{ var_error(name, value, 'must list text values; ' ~ var_repr(item) ~ ' is not one') }}
        {%- endif -%}
        {%- if modules.re.search('[\\x00-\\x1f]', item) -%}
            {{ var_error(name, value, 'holds a control character in ' ~ var_repr(item)) }}
        {%- endif -%}
        {%- if 'allowed' in rule and item not in rule.allowed -%}
            {{ var_error(name, value, 'names ' ~ var_repr(item) ~ ', which is not one of '
                         ~ rule.allowed | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(value | list) }}
{% endmacro %}


{% macro var_check_date_format_list(name, value, rule) %}
    {#- strptime formats: text with at least one %-directive. -#}
    {%- set formats = var_check_text_list(name, value, rule) -%}
    {%- for date_format in formats -%}
        {%- if not modules.re.search('%[a-zA-Z]', date_format) -%}
            {{ var_error(name, value, 'must list strptime formats such as "%d/%m/%Y"; '
                         ~ var_repr(date_format) ~ ' has no %-directive') }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(formats) }}
{% endmacro %}


{% macro var_check_column_map(name, value, rule) %}
    {%- if value is not mapping -%}
        {{ var_error(name, value, 'must map each input to {canonical column: source column}, e.g. '
                     ~ '{customers: {customer_id: CustomerID}}') }}
    {%- endif -%}
    {%- for entity, columns in value.items() -%}
        {%- if columns is not none and columns is not mapping -%}
            {{ var_error(name, value, 'must map ' ~ entity ~ ' to {canonical column: source column}') }}
        {%- endif -%}
        {%- for canonical, source in (columns or {}).items() -%}
            {%- if source is not string or source == '' -%}
                {{ var_error(name, value, 'maps ' ~ entity ~ '.' ~ canonical
                             ~ ' to ' ~ var_repr(source) ~ ', which is not a column name') }}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(value) }}
{% endmacro %}


{% macro var_check_choice(name, value, rule) %}
    {%- set choice = value | lower if rule.get('lower') and value is string else value -%}
    {%- if choice not in rule.choices -%}
        {{ var_error(name, value, 'must be one of ' ~ rule.choices | join(', ')) }}
    {%- endif -%}
    {{ return(choice) }}
{% endmacro %}


{% macro var_check_boolean(name, value, rule) %}
    {%- if value is not boolean -%}
        {{ var_error(name, value, 'must be true or false') }}
    {%- endif -%}
    {{ return(value) }}
{% endmacro %}


{% macro var_check_integer(name, value, rule) %}
    {%- if value is boolean -%}
        {{ var_error(name, value, 'must be a whole number') }}
    {%- elif value is string and modules.re.fullmatch('\\s*[+-]?[0-9]+\\s*', value) -%}
        {%- set number = value | int -%}
    {%- elif value is number and value == value and (value | int) == value -%}
        {%- set number = value | int -%}
    {%- else -%}
        {{ var_error(name, value, 'must be a whole number') }}
    {%- endif -%}
    {{ return(var_check_bounds(name, value, number, rule)) }}
{% endmacro %}


{% macro var_check_number(name, value, rule) %}
    {%- set decimal = '\\s*[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?\\s*' -%}
    {%- if value is boolean -%}
        {{ var_error(name, value, 'must be a number') }}
    {%- elif value is string and modules.re.fullmatch(decimal, value) -%}
        {%- set number = value | float -%}
    {%- elif value is number -%}
        {%- set number = value | float -%}
    {%- else -%}
        {{ var_error(name, value, 'must be a number') }}
    {%- endif -%}
    {#- nan compares unequal to itself; inf is larger than any finite float. -#}
    {%- if number != number or number | abs > 1.0e300 -%}
        {{ var_error(name, value, 'must be a finite number') }}
    {%- endif -%}
    {{ return(var_check_bounds(name, value, number, rule)) }}
{% endmacro %}


{% macro var_check_bounds(name, value, number, rule) %}
    {%- if 'min' in rule and (number < rule.min or (rule.get('exclusive_min') and number == rule.min)) -%}
        {{ var_error(name, value, 'must be ' ~ ('above ' if rule.get('exclusive_min') else 'at least ')
                     ~ rule.min ~ ('' if 'max' not in rule else ' and at most ' ~ rule.max)) }}
    {%- endif -%}
    {%- if 'max' in rule and number > rule.max -%}
        {{ var_error(name, value, 'must be at most ' ~ rule.max) }}
    {%- endif -%}
    {{ return(number) }}
{% endmacro %}


{% macro var_check_date(name, value, rule) %}
    {#-
        A calendar date, written YYYY-MM-DD (YAML may already have made it a
        date). Returned re-printed as YYYY-MM-DD, so only the digits of a real
        day ever reach SQL.
    -#}
    {%- if value is not string and value.isoformat is defined and value.hour is not defined -%}
        {%- set value = value.isoformat() -%}
    {%- endif -%}
    {%- set parts = modules.re.fullmatch('\\s*([0-9]{4})-([0-9]{2})-([0-9]{2})\\s*', value) if value is string else none -%}
    {%- if not parts -%}
        {{ var_error(name, value, 'must be a date written YYYY-MM-DD, e.g. 2024-12-31') }}
    {%- endif -%}
    {%- set year, month, day = parts.group(1) | int, parts.group(2) | int, parts.group(3) | int -%}
    {%- if year < 1 or month < 1 or month > 12 or day < 1 -%}
        {{ var_error(name, value, 'is not a date of the calendar') }}
    {%- endif -%}
    {%- set next_month = modules.datetime.date(year + 1, 1, 1) if month == 12 else modules.datetime.date(year, month + 1, 1) -%}
    {%- if day > (next_month - modules.datetime.timedelta(days=1)).day -%}
        {{ var_error(name, value, 'is not a date of the calendar (' ~ parts.group(2) ~ '/' ~ year
                     ~ ' has ' ~ (next_month - modules.datetime.timedelta(days=1)).day ~ ' days)') }}
    {%- endif -%}
    {{ return(modules.datetime.date(year, month, day).isoformat()) }}
{% endmacro %}


{% macro given_vars() %}
    {#- The vars given on this command line (--vars), as a mapping. -#}
    {%- set given = invocation_args_dict.get('vars') or {} -%}
    {{ return(fromyaml(given) or {} if given is string else given) }}
{% endmacro %}


{% macro vars_option(changes) %}
    {#-
        The --vars option to suggest in a message: the vars this command was
        given, with changes applied, so a suggested rerun keeps the user's
        input_dir, column_map, export_dir... Printed as JSON (which YAML
        reads) inside single quotes, a quote in a value escaped for the shell.
    -#}
    {%- set merged = {} -%}
    {%- for name, value in given_vars().items() if name not in changes -%}
        {%- do merged.update({name: value}) -%}
    {%- endfor -%}
    {%- do merged.update(changes) -%}
    {{ return("--vars '" ~ (tojson(merged) | replace("'", "'\\''")) ~ "'") }}
{% endmacro %}


{% macro validate_vars() %}
    {#-
        Checks every var of var_rules, and that no var given with --vars held
        Jinja: dbt renders --vars as templates, so a value such as
        "{{ run_query(...) }}" would run as code. Vars are values.
    -#}
    {%- set cli_vars = given_vars() -%}
    {%- set rules = var_rules() -%}
    {%- for name in cli_vars if name not in rules -%}
        {#- A misspelled var would otherwise be ignored, and its default used:
            input_dri instead of input_dir segments the demo company. -#}
        {%- set closest = closest_var_name(name, rules.keys()) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " is not a var of this project"
            ~ ("; did you mean " ~ closest ~ "?" if closest else ".")
            ~ " The vars and their defaults are in dbt_project.yml (vars:) and the README's "
            ~ "configuration table.") }}
    {%- endfor -%}
    {%- for name, value in cli_vars.items() -%}
        {%- set text = value | string -%}
        {%- if '{{' in text or '{%' in text or '{#' in text -%}
            {{ exceptions.raise_compiler_error(
                "var " ~ name ~ " = " ~ var_repr(value) ~ " holds Jinja ({{ }}, {% %} or {# #}), "
                ~ "which dbt would run as a template: vars are plain values.") }}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in var_rules() -%}
        {%- do checked_var(name) -%}
    {%- endfor -%}
    {%- if checked_var('k_max') < checked_var('k_min') -%}
        {{ exceptions.raise_compiler_error(
            "vars k_min=" ~ checked_var('k_min') ~ " and k_max=" ~ checked_var('k_max')
            ~ " must satisfy 2 <= k_min <= k_max.") }}
    {%- endif -%}
    {%- if checked_var('outlier_upper_quantile') <= checked_var('outlier_lower_quantile') -%}
        {{ exceptions.raise_compiler_error(
            "vars outlier_lower_quantile=" ~ checked_var('outlier_lower_quantile')
            ~ " and outlier_upper_quantile=" ~ checked_var('outlier_upper_quantile')
            ~ " must satisfy 0 <= lower < upper <= 1.") }}
    {%- endif -%}
    {%- if checked_var('primary_method') not in enabled_methods() -%}
        {{ exceptions.raise_compiler_error(
            "var primary_method is '" ~ checked_var('primary_method') ~ "', which this build does "
            ~ "not run: add it to var methods (now " ~ enabled_methods() | join(', ') ~ ").") }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
