-- Construct weights estimated by PLS path modelling from a questionnaire's
-- responses (services/weights.rs), kept per questionnaire: the estimate as
-- JSON, what it was estimated from, when and by whom. A version of the
-- questionnaire that uses a set names it (`weight_set`).
CREATE TABLE weight_sets (
    template_id TEXT NOT NULL,
    set_id TEXT NOT NULL,
    template_version TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    started_from BIGINT,
    started_to BIGINT,
    body TEXT NOT NULL,
    estimated_at BIGINT NOT NULL,
    estimated_by TEXT NOT NULL,
    PRIMARY KEY (template_id, set_id)
);
