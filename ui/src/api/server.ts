// Generated from src/api/openapi.json by openapi-typescript (scripts/api-types.mjs). Do not edit:
// after changing the server's API, run `FIELDCHECK_BLESS=1 cargo test -p fieldcheck-server openapi`,
// then `npm run api-types` in ui/.

export type paths = Record<string, never>;
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ActionBody: {
            assignee: string;
            description: string;
            /** Format: date */
            due: string;
            item: string;
        };
        ActionList: {
            actions: components["schemas"]["ActionListRow"][];
            /** @description The date overdue was judged against. */
            today: string;
        };
        /** @description One corrective action as the follow-up list shows it. */
        ActionListRow: {
            action_id: string;
            assignee: string;
            /** Format: int64 */
            created_at: number;
            created_by: string;
            description: string;
            doc_id: string;
            /** Format: int64 */
            done_at?: number | null;
            /** @description YYYY-MM-DD. */
            due: string;
            item_id: string;
            label_en?: string | null;
            /** @description The item the action fixes, from the record's template version. */
            label_zh?: string | null;
            /** @description Past its due date and still open: done ones wait on the manager. */
            overdue: boolean;
            /** @description open, done or verified. */
            status: string;
            store_id: string;
            template_id: string;
            /** Format: int64 */
            verified_at?: number | null;
        };
        AssignmentPatch: {
            /** @description Cancelling withdraws the work from the assignee's device. */
            cancelled?: boolean | null;
            /**
             * Format: int32
             * @description 0 removes the quota.
             */
            daily_quota?: number | null;
            /** Format: date */
            ends_on?: string;
            note?: string | null;
            /** Format: date */
            starts_on?: string;
            /** Format: int32 */
            visits?: number | null;
        };
        /** @description An assignment as the API shows it. */
        AssignmentView: {
            assignee: string;
            cancelled: boolean;
            created_by: string;
            /** Format: int32 */
            daily_quota?: number | null;
            ends_on: string;
            id: string;
            mode: string;
            note: string;
            starts_on: string;
            template_id: string;
            unit_id: string;
            /** Format: int64 */
            updated_at: number;
            /** Format: int32 */
            visits: number;
        };
        /** @description One accepted write. */
        AuditEntry: {
            /** @description e.g. `approve`, `users.update`, `assignments.create`. */
            action: string;
            /** Format: int64 */
            at: number;
            detail: unknown;
            /** @description The record, user or assignment written. */
            target: string;
            user_id: string;
        };
        /** @description What an import of statistics did (or, on a dry run, would do). */
        CallsImported: {
            /** @description Nothing was written. */
            dry_run: boolean;
            /** @description The first and last interval start, local time. */
            first?: string | null;
            hotlines: number;
            /** @description Intervals read. */
            intervals: number;
            last?: string | null;
        };
        CommentBody: {
            /** @description An item of the record's template, or none for the record as a whole. */
            item?: string | null;
            text: string;
        };
        ConstructIndex: {
            band?: string | null;
            construct_id: string;
            estimate: Record<string, unknown>;
            flags: Record<string, unknown>;
            role: string;
            /**
             * Format: double
             * @description The index, 0-100; absent when suppressed (small sample).
             */
            value?: number | null;
        };
        /** @description A created user, with the generated password if the server made one. */
        Created: {
            /** @description Shown this once. */
            password?: string | null;
            user_id: string;
        };
        Daily: {
            date: string;
            hotlines_below: components["schemas"]["HotlineBelow"][];
            knockouts: components["schemas"]["Knockout"][];
            overdue: components["schemas"]["Overdue"][];
            submitted: components["schemas"]["Submitted"][];
        };
        Definitions: {
            /**
             * @description Each scheme: id, version, title, indicators (points, source,
             *     scoring), deductions.
             */
            scorecards: Record<string, unknown>[];
        };
        Done: {
            status: string;
        };
        EnrolBody: {
            code: string;
        };
        /** @description A new enrolment, shown once. */
        Enrolment: {
            /** @description Ten characters in two groups of five (50 random bits). */
            code: string;
            /** Format: int64 */
            expires_at: number;
            /** @description `fieldcheck://enrol?server=…&code=…[&ca=…]`: what the QR code holds. */
            link: string;
            /** @description The link as a QR code, an SVG image. */
            qr_svg: string;
            /** @description The server address the link carries. */
            server: string;
            user_id: string;
        };
        /** @description How every error looks on the wire. */
        ErrorBody: {
            /** @description Stable and machine-readable, e.g. `invalid_state`. */
            code: string;
            /**
             * @description The message's stable code, e.g. `records.not_found`, by which the
             *     console shows it in its language (ui/src/i18n/server-codes.json lists
             *     them).
             */
            key: string;
            /** @description For people, in English. */
            message: string;
            /**
             * @description The message's named parameters: each a string, or a message of its
             *     own (`{ "key", "params", "text" }`).
             */
            params: Record<string, unknown>;
            /** @description `refused` only: the document path the rule concerns, e.g. `/comments/3f2a`. */
            path?: string | null;
            /** @description `invalid_rows` only: every problem found, by row and column. */
            problems?: components["schemas"]["ProblemBody"][];
            /**
             * @description `refused` only: the record rule that refused the change
             *     (docs/records.md), e.g. `append_only`.
             */
            rule?: string | null;
        };
        FileBytes: string;
        Health: {
            documents_loaded: number;
            status: string;
            version: string;
        };
        /** @description A hotline whose service level missed its target on the day. */
        HotlineBelow: {
            /** Format: double */
            calls: number;
            hotline: string;
            name_en: string;
            name_zh: string;
            /** Format: double */
            service_level: number;
            /** Format: double */
            target: number;
        };
        /** @description One hotline in one period. */
        HotlineRow: Record<string, unknown> & {
            name_en: string;
            name_zh: string;
            /**
             * @description The test calls of the same hotline and period, and whether they
             *     disagree with the switch.
             */
            test_calls: Record<string, unknown>;
        };
        /** @description A knock-out (critical) standard failed in a visit submitted on the day. */
        Knockout: {
            doc_id: string;
            item_id: string;
            label_en: string;
            label_zh: string;
            store_id: string;
            template_id: string;
        };
        KpiReply: {
            formula: string;
            formulas: string[];
            rows: components["schemas"]["HotlineRow"][];
            /** @description Each KPI's target: `{ "at_least": 0.85 }` or `{ "at_most": 0.1 }`. */
            targets: Record<string, unknown>;
        };
        LoginBody: {
            password: string;
            username: string;
        };
        /** @description A new token and who it is for. */
        LoginReply: {
            /** Format: int64 */
            expires_at: number;
            role: string;
            scope: string;
            token: string;
            user: string;
        };
        Marked: {
            marked: number;
        };
        /**
         * @description A message for people as the API gives it outside errors (a template's
         *     warnings, say): its code, its parameters and its English text, as
         *     `fieldcheck_core::msg::Msg` serialises.
         */
        MessageBody: {
            /** @description Stable, e.g. `xlsform.warning`. */
            key: string;
            /**
             * @description Named parameters: each a string, or a message of its own
             *     (`{ "key", "params", "text" }`).
             */
            params: Record<string, unknown>;
            /** @description In English. */
            text: string;
        };
        /** @description The id of what was made (a comment, an action). */
        NewId: {
            id: string;
        };
        NewUserBody: {
            /** @description Where notifications are e-mailed, when the server sends e-mail. */
            email?: string | null;
            name?: string | null;
            /**
             * @description At least 8 characters, not a common one; omitted, one is generated
             *     and returned once.
             */
            password?: string | null;
            /** @enum {string} */
            role: "admin" | "manager" | "inspector" | "surveyor" | "store_staff";
            /** @description A unit of the hierarchy, or `*` for everything. */
            scope: string;
            /** @description One word, kept in lower case. */
            user_id: string;
        };
        /** @description One notification. */
        Notification: {
            /**
             * Format: int64
             * @description When it happened, ms since the epoch (0 when not known).
             */
            at: number;
            /**
             * Format: int64
             * @description `review_waiting`: how many.
             */
            count?: number | null;
            doc_id?: string | null;
            /** @description Stable: the same event keeps its id, so that it stays read. */
            id: string;
            /**
             * @description `returned`, `action_new`, `action_overdue`, `action_done`,
             *     `assignment_due` or `review_waiting`.
             */
            kind: string;
            read: boolean;
            store_id?: string | null;
            /** @description The action's description, or the assignment's template. */
            text?: string | null;
        };
        Notifications: {
            notifications: components["schemas"]["Notification"][];
            unread: number;
        };
        OpenBody: {
            mime: string;
            /** Format: int64 */
            size: number;
        };
        /** @description A corrective action that became overdue on the day. */
        Overdue: {
            action_id: string;
            assignee: string;
            description: string;
            doc_id: string;
            due: string;
            store_id: string;
        };
        /** @description A wave's visits, in date order, and how many assignments were made. */
        Planned: {
            /** @description 0 in a dry run. */
            created: number;
            /** @description Stores of the template's channel under the unit. */
            stores: number;
            visits: components["schemas"]["Visit"][];
        };
        /** @description One problem of an import, as `ErrorBody::problems` lists it. */
        ProblemBody: {
            column?: string | null;
            /** @description The message's stable code. */
            key: string;
            /** @description For people, in English. */
            message: string;
            /**
             * @description The message's named parameters: each a string, or a message of its
             *     own (`{ "key", "params", "text" }`).
             */
            params: Record<string, unknown>;
            /** @description The line as a spreadsheet numbers it; 0 for the file as a whole. */
            row: number;
        };
        /** @description Where the server stands. */
        Progress: {
            /**
             * Format: int64
             * @description Every change up to this sequence number is in the derived tables.
             */
            materialised: number;
            /**
             * Format: int64
             * @description The sequence number of the latest stored change.
             */
            sequence: number;
        };
        /** @description What publishing did. */
        Published: {
            items: number;
            /** @description checklist or questionnaire. */
            kind: string;
            /** @description False when this exact version was already published. */
            new: boolean;
            /** @description False for a dry run: the file is valid and nothing was written. */
            published: boolean;
            sections: number;
            template_id: string;
            title_en: string;
            title_zh: string;
            version: string;
            /**
             * @description Problems an XLSForm import worked around, each a message with its
             *     code and parameters.
             */
            warnings: components["schemas"]["MessageBody"][];
        };
        /** @description One page of the review queue. */
        Queue: {
            records: components["schemas"]["QueueRow"][];
            /** Format: int64 */
            total: number;
        };
        /** @description A record as the queue lists it. */
        QueueRow: {
            author: string;
            doc_id: string;
            kind: string;
            mode: string;
            passed?: boolean | null;
            /** Format: double */
            score?: number | null;
            /** Format: int64 */
            started_at: number;
            status: string;
            store_id: string;
            /** Format: int64 */
            submitted_at?: number | null;
            template_id: string;
            template_version: string;
            /** Format: int64 */
            updated_at: number;
        };
        RatingReply: {
            /**
             * @description One per unit and period: score (absent when suppressed), estimate with
             *     interval and effective n, coverage, flags, templates and rule set;
             *     rank and rank range among the units of its level and period; change
             *     from the previous period with Welch's t test.
             */
            ratings: Record<string, unknown>[];
            /** @description Visits left out because their store is not in the hierarchy. */
            unplaced_visits: number;
        };
        ReadBody: {
            /** @description The notifications read, by id. */
            ids: string[];
        };
        /** @description What an import of entered figures or cases did. */
        RegisterImported: {
            dry_run: boolean;
            imported: number;
        };
        ReturnBody: {
            comment: string;
        };
        Satisfaction: {
            units: components["schemas"]["UnitSatisfaction"][];
        };
        /** @description What publishing a scheme did. */
        SchemePublished: {
            indicators: number;
            /** @description False when this exact version was already there (shipped or published). */
            new: boolean;
            /**
             * Format: double
             * @description The points of its indicators.
             */
            points: number;
            /** @description False for a dry run. */
            published: boolean;
            scorecard_id: string;
            version: string;
        };
        ScorecardReply: {
            period: string;
            rows: components["schemas"]["ScorecardRow"][];
            /** @description The definition: indicators with their points and scoring, deductions. */
            scorecard: Record<string, unknown>;
        };
        /** @description One unit's scorecard. */
        ScorecardRow: Record<string, unknown> & {
            name_en: string;
            name_zh: string;
            /** @description 1 = best among the complete scorecards; equal scores share a place. */
            place?: number | null;
            unit: string;
        };
        StepBody: {
            /**
             * @description `complete` only: photos of the fix (at most 10), named by hash; their
             *     bytes are uploaded after (`/api/v1/media/{hash}`).
             */
            evidence?: Record<string, unknown>[];
            /** @description `complete` only: what was done. */
            note?: string | null;
            /**
             * @description `verify` only: the re-audit of the same store, made after the fix,
             *     whose answer to the action's item passes.
             */
            reaudit?: string | null;
        };
        /** @description Records submitted in a span, of one template and mode. */
        Submitted: {
            kind: string;
            /** Format: double */
            mean_score?: number | null;
            mode: string;
            /**
             * Format: int64
             * @description Checklist visits below their pass threshold or knocked out.
             */
            not_passed: number;
            /** Format: int64 */
            records: number;
            template_id: string;
        };
        /** @description The KPI targets in force, and the defaults they replace. */
        Targets: {
            defaults: Record<string, unknown>;
            /** @description KPI -> `{ "at_least": x }` or `{ "at_most": x }`; a KPI left out has none. */
            targets: Record<string, unknown>;
        };
        TargetsBody: {
            /**
             * @description KPI -> `{ "at_least": x }`, `{ "at_most": x }`, or null for no target.
             *     KPIs left out keep theirs.
             */
            targets: Record<string, unknown>;
        };
        /** @description A published template version. */
        TemplateView: {
            /** @description checklist or questionnaire. */
            kind: string;
            /** Format: int64 */
            published_at: number;
            template_id: string;
            title_en: string;
            title_zh: string;
            version: string;
        };
        UnitBody: {
            address?: string | null;
            /** @enum {string} */
            channel?: "owned_hall" | "partner_store" | "hotline" | "club" | "echannel";
            /** Format: double */
            lat?: number | null;
            /** @enum {string} */
            level: "store" | "district" | "city" | "province";
            /** Format: double */
            lon?: number | null;
            name_en?: string | null;
            name_zh: string;
            parent?: string | null;
            time_zone?: string | null;
            /** Format: double */
            traffic?: number | null;
        };
        UnitSatisfaction: {
            constructs: components["schemas"]["ConstructIndex"][];
            /**
             * @description SERVQUAL gaps (S4): perception minus expectation by attribute and
             *     dimension, plain and importance-weighted, with SERVPERF.
             */
            gaps?: Record<string, unknown> | null;
            /**
             * @description Importance-performance analysis (S5) with its quadrants: fix first,
             *     keep up, watch, possible overkill, pay attention.
             */
            ipa?: Record<string, unknown> | null;
            level: string;
            /** @description Net Promoter Score with its standard error and interval. */
            nps?: Record<string, unknown> | null;
            responses: number;
            unit: string;
        };
        /** @description A unit of the store hierarchy. */
        UnitView: {
            address?: string | null;
            /** @description Stores: owned_hall, partner_store, hotline, club or echannel. */
            channel?: string | null;
            id: string;
            /** Format: double */
            lat?: number | null;
            /** @description province, city, district or store. */
            level: string;
            /** Format: double */
            lon?: number | null;
            name_en: string;
            name_zh: string;
            parent?: string | null;
            time_zone: string;
            /**
             * Format: double
             * @description Customer traffic, the weight of traffic-weighted ratings.
             */
            traffic: number;
        };
        /** @description What a unit import did. */
        UnitsImported: {
            /** @description Hierarchy documents that changed and were sent to devices. */
            documents_changed: number;
            imported: number;
        };
        /** @description Where an upload stands. */
        UploadState: {
            complete: boolean;
            /** Format: int64 */
            offset: number;
            /** Format: int64 */
            size: number;
        };
        UserPatch: {
            /**
             * @description Disabling signs the user out everywhere and refuses their sign-ins;
             *     their records and history stay.
             */
            disabled?: boolean | null;
            /** @description Where notifications are e-mailed; empty for none. */
            email?: string | null;
            name?: string | null;
            /**
             * @description At least 8 characters, not a common one; signs the user out
             *     everywhere.
             */
            password?: string | null;
            /** @enum {string} */
            role?: "admin" | "manager" | "inspector" | "surveyor" | "store_staff";
            scope?: string | null;
        };
        /** @description A user as administrators see them; never the password. */
        UserView: {
            /** Format: int64 */
            created_at: number;
            disabled: boolean;
            /** @description Where notifications are e-mailed; empty for none. */
            email: string;
            name: string;
            role: string;
            scope: string;
            user_id: string;
        };
        /** @description The outcome of a bulk import. */
        UsersImported: {
            imported: number;
            /** @description Every user, with the passwords the server generated (shown once). */
            users: components["schemas"]["Created"][];
        };
        /** @description One planned visit. */
        Visit: {
            /** @description YYYY-MM-DD. */
            date: string;
            inspector: string;
            store: string;
        };
        /** @description A wave: which stores, how often, with what, when. */
        Wave: {
            /**
             * @description The inspectors to spread the visits over; default every active
             *     inspector whose scope covers the store.
             */
            inspectors?: string[] | null;
            /** @enum {string} */
            mode?: "overt" | "mystery" | "test_call" | "echannel" | "intercept";
            /** @description The months, `YYYY-MM`, e.g. `["2026-12", "2027-01"]`. */
            months: string[];
            /**
             * Format: int32
             * @description Visits to each store in each month, on different days.
             */
            per_store: number;
            /**
             * Format: int64
             * @description The same seed draws the same days (default: a new draw each time).
             */
            seed?: number | null;
            /** @description A published checklist; only stores of its channel are visited. */
            template_id: string;
            /** @description A unit in the caller's scope: its stores are visited. */
            unit_id: string;
        };
        WeakItem: {
            /**
             * Format: int64
             * @description Scored answers, and how many of them failed the standard.
             */
            answered: number;
            /** Format: double */
            fail_rate: number;
            /** Format: int64 */
            failed: number;
            /** @description 95% Wilson interval of the fail rate. */
            interval?: Record<string, unknown> | null;
            item_id: string;
            label_en?: string | null;
            label_zh?: string | null;
            section_id?: string | null;
            template_id: string;
        };
        WeakSection: {
            /** Format: double */
            mean_score: number;
            section_id: string;
            template_id: string;
            /** Format: int64 */
            visits: number;
        };
        Weakest: {
            items: components["schemas"]["WeakItem"][];
            sections: components["schemas"]["WeakSection"][];
        };
        /** @description One week of a unit's indicators against their targets. */
        Week: {
            /** Format: int64 */
            actions_closed: number;
            /** Format: int64 */
            actions_opened: number;
            /**
             * Format: int64
             * @description Open past their due date at the week's end.
             */
            actions_overdue: number;
            /**
             * Format: double
             * @description Channel compliance (0-100), absent when withheld or without audits.
             */
            compliance?: number | null;
            compliance_band?: string | null;
            /** @description Compliance is at least "compliant" (80). */
            compliance_meets?: boolean | null;
            /**
             * Format: double
             * @description Service level over the unit's hotlines, and whether it meets its target.
             */
            service_level?: number | null;
            service_level_meets?: boolean | null;
            week: string;
        };
        Weekly: {
            unit: string;
            weeks: components["schemas"]["Week"][];
        };
        /** @description A weight set: the estimate and what it was estimated from. */
        WeightSet: {
            /** Format: int64 */
            estimated_at: number;
            estimated_by: string;
            /**
             * Format: int64
             * @description Responses started from and before these times (ms), if limited.
             */
            from?: number | null;
            /**
             * @description The questionnaire's labels of its constructs and items, by id
             *     (`{ "zh-CN", "en" }`), as its newest version has them.
             */
            labels: Record<string, unknown>;
            /** @description e.g. `pls-2026-12-01-1`; the name a questionnaire using it gives. */
            set_id: string;
            template_id: string;
            /** @description The version whose responses' constructs were estimated. */
            template_version: string;
            /** Format: int64 */
            to?: number | null;
            /** @description The unit whose stores' responses were used. */
            unit: string;
            /**
             * @description Per construct its items' weights (the index's, summing to 1), PLS
             *     outer weights and loadings, and its R²; the path coefficients; the
             *     respondents used.
             */
            weights: Record<string, unknown>;
        };
        /** @description The work an assignment gives: to whom, where, with what, how and when. */
        Work: {
            /**
             * @description An inspector (checklists) or surveyor (questionnaires) whose scope
             *     covers the unit.
             */
            assignee: string;
            /**
             * Format: int32
             * @description Surveys: responses per store and day.
             */
            daily_quota?: number | null;
            /** Format: date */
            ends_on: string;
            /** @enum {string} */
            mode: "overt" | "mystery" | "test_call" | "echannel" | "intercept";
            note?: string | null;
            /** Format: date */
            starts_on: string;
            /** @description A published template. */
            template_id: string;
            /** @description A store, or a unit whose stores are all assigned. */
            unit_id: string;
            /**
             * Format: int32
             * @description Visits to each store in the period; default 1.
             */
            visits?: number | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
