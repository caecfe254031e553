{#-
    Every customer placed on the first two principal components of the
    standardized features, with the segment to colour by: a cluster plot is a
    scatter of pc1 against pc2. The components were fitted on the fit sample
    (ml_pca_loadings); the projection itself is a SQL dot product.
-#}
{%- set inputs = model_inputs() %}

with

scaled as (

    select * from {{ ref('ml_customer_features_scaled') }}

),

loadings as (

    select * from {{ ref('ml_pca_loadings') }}

),

segments as (

    select customer_id, segment_id, segment_name from {{ ref('dim_customer_segments') }}

),

loading_row as (

    -- The loadings as one row, so the projection is a plain dot product.
    select
        max(pc1_explained_variance_ratio) as pc1_explained_variance_ratio,
        max(pc2_explained_variance_ratio) as pc2_explained_variance_ratio
        {%- for input in inputs %},
        max(case when feature_name = '{{ input.name }}' then feature_mean end) as mean__{{ input.name }},
        max(case when feature_name = '{{ input.name }}' then pc1_loading end) as pc1__{{ input.name }},
        max(case when feature_name = '{{ input.name }}' then pc2_loading end) as pc2__{{ input.name }}
        {%- endfor %}
    from loadings

),

projected as (

    select
        scaled.customer_id,
        loading_row.pc1_explained_variance_ratio,
        loading_row.pc2_explained_variance_ratio
        {%- for component in ['pc1', 'pc2'] %},
        0
        {%- for input in inputs %}
        + (scaled.{{ input.name }} - loading_row.mean__{{ input.name }}) * loading_row.{{ component }}__{{ input.name }}
        {%- endfor %} as {{ component }}
        {%- endfor %}
    from scaled
    cross join loading_row

)

select
    cast(projected.customer_id as {{ dbt.type_string() }}) as customer_id,
    cast(segments.segment_id as integer) as segment_id,
    cast(segments.segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(round(projected.pc1, 9) as double) as pc1,
    cast(round(projected.pc2, 9) as double) as pc2,
    cast(round(projected.pc1_explained_variance_ratio, 9) as double) as pc1_explained_variance_ratio,
    cast(round(projected.pc2_explained_variance_ratio, 9) as double) as pc2_explained_variance_ratio
from projected
inner join segments on projected.customer_id = segments.customer_id
