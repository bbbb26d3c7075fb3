-- Branch scorecards (docs/scorecards.md). The figures the operator measures
-- elsewhere and enters, by unit, period and indicator; and the register of
-- service cases that deductions come from.
CREATE TABLE scorecard_entries (
    unit_id TEXT NOT NULL,
    period TEXT NOT NULL,
    indicator TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    entered_at BIGINT NOT NULL,
    entered_by TEXT NOT NULL,
    PRIMARY KEY (unit_id, period, indicator)
);

CREATE TABLE service_cases (
    case_id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    points DOUBLE PRECISION,
    deadline TEXT,
    closed_on TEXT,
    description TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    entered_by TEXT NOT NULL
);
CREATE INDEX service_cases_by_day ON service_cases (occurred_on);
