{% macro validate_run_mode() %}
    {#-
        var mode is fit (refit everything, the default) or score (assign
        customers to the model of the last fit). Scoring must not refit, and
        needs a fit to score with: both are checked before any model runs.
    -#}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set mode = var('mode') -%}
    {%- if mode not in ('fit', 'score') -%}
        {{ exceptions.raise_compiler_error(
            "var mode is '" ~ mode ~ "': use 'fit' (refit the models, the default) or 'score' "
            ~ "(assign customers to the stored model: dbt build --selector score "
            ~ vars_option({'mode': 'score'}) ~ ").") }}
    {%- endif -%}
    {%- if mode == 'score' -%}
        {%- set refitting = [] -%}
        {%- for unique_id in selected_resources -%}
            {%- set node = graph.nodes.get(unique_id) -%}
            {%- if node and node.resource_type == 'model' and 'fit' in node.tags -%}
                {%- do refitting.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if refitting -%}
            {{ exceptions.raise_compiler_error(
                "var mode is 'score', but this command would refit " ~ refitting | sort | join(', ')
                ~ ". Score without refitting with: dbt build --selector score " ~ vars_option({'mode': 'score'})) }}
        {%- endif -%}
        {%- for name in ['ml_fit_run', 'ml_feature_scaling', 'ml_cluster_centroids', 'ml_kmeans_k_selection', 'segment_lineage'] -%}
            {%- if adapter.get_relation(database=target.database, schema=target.schema,
                                        identifier=name) is none -%}
                {{ exceptions.raise_compiler_error(
                    "var mode is 'score', but there is no fitted model to score with (" ~ name
                    ~ " is missing from the database). Fit first: dbt build") }}
            {%- endif -%}
        {%- endfor -%}
        {#- A model stored by an older version of this project lacks what
            this one reads (k selection's path and elbow, the No Purchase Yet split). -#}
        {%- set stored_columns = adapter.get_columns_in_relation(adapter.get_relation(
            database=target.database, schema=target.schema, identifier='ml_kmeans_k_selection'))
            | map(attribute='name') | list -%}
        {%- for needed in ['selection_path', 'is_elbow'] if needed not in stored_columns -%}
            {{ exceptions.raise_compiler_error(
                "var mode is 'score', but the stored model was fitted by an older version of this "
                ~ "project (ml_kmeans_k_selection has no " ~ needed ~ "). Refit once: dbt build") }}
        {%- endfor -%}
        {%- set fit = run_query("select primary_method, run_id from "
            ~ adapter.get_relation(database=target.database, schema=target.schema,
                                   identifier='ml_fit_run')) -%}
        {%- if var('features') -%}
            {#- Scoring replays the fit's scaling: the features are the fit's. -#}
            {%- set fitted = run_query("select distinct source_feature from "
                ~ adapter.get_relation(database=target.database, schema=target.schema,
                                       identifier='ml_feature_scaling')).columns[0].values() -%}
            {%- set named = selected_features().names -%}
            {%- if (named | unique | sort | list) != (fitted | unique | sort | list) -%}
                {{ exceptions.raise_compiler_error(
                    "var features names " ~ named | sort | join(', ') ~ ", but the stored model (run "
                    ~ fit.rows[0][1] ~ ") was fitted on " ~ fitted | sort | join(', ')
                    ~ ". Scoring uses the fitted features: leave var features out (or name those), "
                    ~ "or refit with the new ones: dbt build") }}
            {%- endif -%}
        {%- endif -%}
        {#- The stored model must come from one fit build that finished: every
            fit table (ml/fit/), and segment_lineage, which a fit build stamps
            once the fit's segments are numbered and recorded, carry the
            invocation id of the build that wrote them (fit_stamp.sql). dbt
            runs the fit's models in no fixed order, so a fit killed or failed
            part-way, or a fit table rebuilt alone, leaves stamps that differ. -#}
        {%- set fit_invocation_id = run_query(
            "select max(fit_invocation_id) from "
            ~ adapter.get_relation(database=target.database, schema=target.schema,
                                   identifier='ml_fit_run')).rows[0][0] -%}
        {%- set fit_tables = ['segment_lineage'] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and 'fit' in node.tags -%}
            {%- do fit_tables.append(node.alias or node.name) -%}
        {%- endfor -%}
        {%- set stamps = stored_fit_stamps(fit_tables) -%}
        {%- set lineage_stamp = stamps.get('segment_lineage', '') -%}
        {%- set unstamped = [] -%}
        {%- set foreign = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and 'fit' in node.tags -%}
            {%- set stamp = stamps.get(node.alias or node.name) -%}
            {%- if stamp is none -%}
                {{ exceptions.raise_compiler_error(
                    "var mode is 'score', but there is no fitted model to score with ("
                    ~ node.name ~ " is missing from the database). Fit first: dbt build") }}
            {%- elif not stamp.startswith(fit_stamp('')) -%}
                {%- do unstamped.append(node.name) -%}
            {%- elif stamp != lineage_stamp -%}
                {%- do foreign.append(node.name ~ " (invocation " ~ stamp[fit_stamp("") | length:] ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not unstamped and not lineage_stamp.startswith(fit_stamp('')) -%}
            {%- do unstamped.append('segment_lineage') -%}
        {%- endif -%}
        {%- if not unstamped and lineage_stamp != fit_stamp(fit_invocation_id) -%}
            {#- ml_fit_run comes from a later fit than the last recorded one. -#}
            {{ exceptions.raise_compiler_error(
                "var mode is 'score', but the last fit build (run " ~ fit.rows[0][1]
                ~ ") stopped before it finished, so the stored model mixes that fit's tables "
                ~ "with an earlier fit's. Refit first: dbt build") }}
        {%- endif -%}
        {%- if foreign -%}
            {{ exceptions.raise_compiler_error(
                "var mode is 'score', but " ~ foreign | sort | join(', ')
                ~ (" was" if foreign | length == 1 else " were")
                ~ " written by another build than the last complete fit (run "
                ~ fit.rows[0][1] ~ ", invocation " ~ fit_invocation_id ~ "), so the stored model "
                ~ "mixes two fits. Refit first: dbt build") }}
        {%- endif -%}
        {%- if unstamped -%}
            {{ exceptions.raise_compiler_error(
                "var mode is 'score', but the stored model was fitted by an older version of this "
                ~ "project (" ~ unstamped | sort | join(', ') ~ " carry no fit invocation id). "
                ~ "Refit once: dbt build") }}
        {%- endif -%}
        {%- if fit.rows and fit.rows[0][0] != var('primary_method') -%}
            {{ exceptions.raise_compiler_error(
                "var primary_method is '" ~ var('primary_method') ~ "', but the stored model "
                ~ "(fitted at run " ~ fit.rows[0][1] ~ ") has '" ~ fit.rows[0][0] ~ "' segments. "
                ~ "Score with the method it was fitted with, or refit: dbt build") }}
        {%- endif -%}
    {%- elif flags.WHICH in ('build', 'run')
             and 'model.customer_segmentation.segmentation_runs' in selected_resources -%}
        {#- A selection that leaves the fit out but records a run is a score. -#}
        {%- set fitting = [] -%}
        {%- for unique_id in selected_resources -%}
            {%- set node = graph.nodes.get(unique_id) -%}
            {%- if node and node.resource_type == 'model' and 'fit' in node.tags -%}
                {%- do fitting.append(node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not fitting -%}
            {{ exceptions.raise_compiler_error(
                "This selection refits nothing but records a run as a fit (var mode is 'fit'). "
                ~ "To score with the stored model: dbt build --selector score " ~ vars_option({'mode': 'score'})) }}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
