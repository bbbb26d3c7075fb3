// Generated from src/api/openapi.json by openapi-typescript (scripts/api-types.mjs). Do not edit:
// after changing the server's API, run `FIELDCHECK_BLESS=1 cargo test -p fieldcheck-server openapi`,
// then `npm run api-types` in ui/.

export interface paths {
    "/api/v1/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The follow-up list: corrective actions on the records in the caller's
         *     scope, soonest due first.
         */
        get: operations["actions_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/assignments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The assignments the caller may see. */
        get: operations["assignments_list"];
        put?: never;
        /** Gives work to an inspector or surveyor. */
        post: operations["assignments_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/assignments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One assignment, if the caller may see it. */
        get: operations["assignments_get_one"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Changes an assignment's period, visits, quota or note, or cancels it.
         *     To give the work to someone else, cancel it and create another: the
         *     first assignee's device must learn that it is withdrawn.
         */
        patch: operations["assignments_update"];
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log: every accepted write made through the API, newest first. */
        get: operations["audit_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/enrol": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeems an enrolment code for a token, once. Failed attempts are
         *     throttled per client address like failed sign-ins.
         */
        post: operations["enrol_redeem"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Signs in with a password and returns a token for `Authorization: Bearer`. */
        post: operations["auth_login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Revokes the token of the request. */
        post: operations["auth_logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchanges a live token for a new one with a fresh lifetime
         *     (`token_ttl_hours`, 30 days by default); the old one stops working.
         */
        post: operations["auth_refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exports/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * `GET /api/v1/exports/{file}`: `records`, `actions` or `ratings`, as
         *     `.csv` or `.xlsx`. Ratings take the parameters of `/api/v1/ratings`.
         */
        get: operations["exports_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/media/{hash}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * `GET /api/v1/media/{hash}`: the file, to users who may see a record that
         *     references it. Anyone else gets the same 404 as for a missing file.
         */
        get: operations["media_download"];
        put?: never;
        /** Opens an upload, or finds it: where to continue from. */
        post: operations["media_open"];
        delete?: never;
        options?: never;
        head?: never;
        /** Appends a chunk at `Upload-Offset`. */
        patch: operations["media_append"];
        trace?: never;
    };
    "/api/v1/ratings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Channel compliance ratings for the units in the caller's scope. */
        get: operations["ratings_ratings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The review queue: records in the caller's scope, newest first. */
        get: operations["review_queue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A record in full: its derived rows (record, answers, sections,
         *     constructs, events, comments, actions, history) and conflicting answers.
         */
        get: operations["review_detail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Opens a corrective action on an item of a reviewed record. */
        post: operations["review_open_action"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/actions/{action}/{step}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * `POST /api/v1/records/{id}/actions/{action}/{step}` with step `complete`,
         *     `verify` or `reopen`. A verification may rest on a re-audit.
         */
        post: operations["review_action_step"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Approves a submitted record, which locks it. */
        post: operations["review_approve"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/comments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Comments on a record or one of its items. */
        post: operations["review_comment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/document": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * `GET /api/v1/records/{id}/document`: the Automerge bytes, loadable by
         *     any Automerge implementation.
         */
        get: operations["review_document"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** `GET /api/v1/records/{id}/report`. */
        get: operations["report_report"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/records/{id}/return": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Returns a submitted record to its author with a comment. */
        post: operations["review_return_record"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/satisfaction": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Satisfaction indices by construct (S3) and NPS (S6) for every unit in the
         *     caller's scope that has survey responses.
         */
        get: operations["ratings_satisfaction"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How far the server is: the latest stored change and how far the review
         *     queue, ratings and exports have caught up. With `wait` or `seq`, answers
         *     once they have (or at the timeout: compare the two numbers).
         */
        get: operations["system_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every published template version, newest first within each template. */
        get: operations["templates_list"];
        put?: never;
        /**
         * Publishes a template file. Published versions are immutable: the
         *     version is the hash of the content, and republishing changes nothing.
         */
        post: operations["templates_publish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/templates/{id}/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One published version in full, as canonical JSON. */
        get: operations["templates_get_one"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/units": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The units in the caller's scope, parents before children. */
        get: operations["units_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/units/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Adds or updates units from a CSV or XLSX table (columns id, parent,
         *     level, name_zh, name_en, channel, address, lat, lon, time_zone, traffic).
         *     All or nothing: every problem is reported with its row and column.
         */
        post: operations["units_import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/units/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Creates or replaces one unit; the id is its path (`sc/cd/jj/001`,
         *     URL-encoded).
         */
        put: operations["units_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The users in the caller's scope. */
        get: operations["users_list"];
        put?: never;
        /** Creates one user. */
        post: operations["users_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Creates users from a CSV or XLSX table with the columns user_id, name,
         *     role, scope and password. All or nothing: any problem is reported with
         *     its row and column, and no user is created.
         */
        post: operations["users_import"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Changes a user's name, role, scope or password, or disables them. */
        patch: operations["users_update"];
        trace?: never;
    };
    "/api/v1/users/{id}/enrolments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Makes a one-time enrolment code for a field user. */
        post: operations["enrol_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/weakest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The standards failed most often across a unit, and its lowest sections:
         *     where service breaks.
         */
        get: operations["ratings_weakest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The server and its database answer. */
        get: operations["system_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
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
            /** @description For people. */
            message: string;
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
        /** @description The id of what was made (a comment, an action). */
        NewId: {
            id: string;
        };
        NewUserBody: {
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
        OpenBody: {
            mime: string;
            /** Format: int64 */
            size: number;
        };
        /** @description One problem of an import, as `ErrorBody::problems` lists it. */
        ProblemBody: {
            column?: string | null;
            message: string;
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
            /** @description Problems an XLSForm import worked around. */
            warnings: string[];
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
        ReturnBody: {
            comment: string;
        };
        Satisfaction: {
            units: components["schemas"]["UnitSatisfaction"][];
        };
        StepBody: {
            /**
             * @description `verify` only: the re-audit of the same store, made after the fix,
             *     whose answer to the action's item passes.
             */
            reaudit?: string | null;
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
export interface operations {
    actions_list: {
        parameters: {
            query?: {
                /**
                 * @description Comma-separated: open, done, verified; default `open,done` (not yet
                 *     closed).
                 */
                status?: string;
                /** @description A unit of the hierarchy: the store or anything above it. */
                store?: string;
                assignee?: string;
                /** @description Only actions past their due date and still open (not yet done). */
                overdue?: boolean;
                today?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ActionList"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    assignments_list: {
        parameters: {
            query?: {
                assignee?: string;
                /**
                 * @description Assignments of this unit, of units below it, or of units above it
                 *     (which cover it).
                 */
                unit?: string;
                on?: string;
                /** @description Include cancelled ones (default false). */
                cancelled?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentView"][];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    assignments_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Work"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentView"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such unit in your scope */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    assignments_get_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentView"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    assignments_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AssignmentPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentView"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    audit_list: {
        parameters: {
            query?: {
                user?: string;
                target?: string;
                /** @description At most this many, newest first (default 100, at most 1000). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEntry"][];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    enrol_redeem: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EnrolBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginReply"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The code is wrong, used or expired */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many attempts; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginReply"];
                };
            };
            /** @description Not a login body */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Wrong user name or password */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Too many failed sign-ins for this account or address; `Retry-After` says when to try again */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    auth_refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginReply"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    exports_export: {
        parameters: {
            query?: {
                layout?: "wide" | "long";
                /** @description A unit of the hierarchy. */
                store?: string;
                /** @description Comma-separated statuses; default every status but draft and discarded. */
                status?: string;
                from?: number;
                to?: number;
                granularity?: "day" | "week" | "month" | "quarter" | "year";
                /** @description Only this period, e.g. `2026-10`, `2026-W43`, `2026-Q4`. */
                period?: string;
                /** @description Only this unit and the units below it. */
                unit?: string;
                level?: "store" | "district" | "city" | "province" | "national";
                /**
                 * @description A template id: only its visits. For an export of records, the
                 *     template whose items are the columns (the wide layout needs one).
                 */
                template?: string;
                channel?: "owned_hall" | "partner_store" | "hotline" | "club" | "echannel";
                mode?: "overt" | "mystery" | "test_call" | "echannel" | "intercept";
                weighting?: "stores" | "traffic";
            };
            header?: never;
            path: {
                /** @description records, actions or ratings, .csv or .xlsx */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file; `X-Total-Rows` gives the row count first */
            200: {
                headers: {
                    /** @description How many rows the file has */
                    "X-Total-Rows"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": components["schemas"]["FileBytes"];
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": components["schemas"]["FileBytes"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Ratings are for managers and administrators */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                hash: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, as the type it was uploaded as if that is a photo or audio type, else as an attachment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/*": components["schemas"]["FileBytes"];
                    "audio/*": components["schemas"]["FileBytes"];
                    "application/octet-stream": components["schemas"]["FileBytes"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_open: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description BLAKE3, 64 lower-case hex digits */
                hash: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OpenBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadState"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `not_referenced`: no record of yours references this file with this size and type (yet: sync the record first) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    media_append: {
        parameters: {
            query?: never;
            header: {
                "Upload-Offset": number;
            };
            path: {
                hash: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["FileBytes"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadState"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Wrong offset */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description The bytes do not match the hash */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    ratings_ratings: {
        parameters: {
            query?: {
                granularity?: "day" | "week" | "month" | "quarter" | "year";
                /** @description Only this period, e.g. `2026-10`, `2026-W43`, `2026-Q4`. */
                period?: string;
                /** @description Only this unit and the units below it. */
                unit?: string;
                level?: "store" | "district" | "city" | "province" | "national";
                /**
                 * @description A template id: only its visits. For an export of records, the
                 *     template whose items are the columns (the wide layout needs one).
                 */
                template?: string;
                channel?: "owned_hall" | "partner_store" | "hotline" | "club" | "echannel";
                mode?: "overt" | "mystery" | "test_call" | "echannel" | "intercept";
                weighting?: "stores" | "traffic";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RatingReply"];
                };
            };
            /** @description A parameter is not valid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description For managers and administrators */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_queue: {
        parameters: {
            query?: {
                /** @description Comma-separated statuses; default `submitted,resubmitted`. */
                status?: string;
                /** @description checklist (default: audits, visits, test calls) or questionnaire. */
                kind?: string;
                /** @description A unit of the hierarchy: the store or anything above it. */
                store?: string;
                inspector?: string;
                template?: string;
                mode?: string;
                /** @description Visit started at or after / before, ms since the epoch. */
                from?: number;
                to?: number;
                min_score?: number;
                max_score?: number;
                /** @description Rows per page (default 50). */
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Queue"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_detail: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or not in scope */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_open_action: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ActionBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_action_step: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                action: string;
                /** @description complete, verify or reopen */
                step: string;
            };
            cookie?: never;
        };
        /** @description Optional; `verify` may name the re-audit */
        requestBody?: {
            content: {
                "application/json": components["schemas"]["StepBody"] | null;
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not in a state for this step, or the re-audit does not show the fix */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_approve: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not in a state to approve */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_comment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CommentBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NewId"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_document: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The Automerge document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": unknown;
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or not in scope */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    report_report: {
        parameters: {
            query?: {
                /** @description zh-CN (default) or en. */
                lang?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audit as a printable HTML page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": unknown;
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Missing or not in scope */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    review_return_record: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReturnBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Done"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not in a state to return */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    ratings_satisfaction: {
        parameters: {
            query: {
                /** @description The questionnaire. */
                template: string;
                /** @description Only this unit and the units below it. */
                unit?: string;
                from?: number;
                to?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Satisfaction"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description For managers and administrators */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No published template with this id */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    system_status: {
        parameters: {
            query?: {
                /** @description Wait until the derived tables hold every change stored so far. */
                wait?: boolean;
                /** @description Wait until they hold every change up to this sequence number. */
                seq?: number;
                /** @description The longest wait in milliseconds (default 10,000). */
                timeout_ms?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Progress"];
                };
            };
            /** @description Not a status query */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    templates_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TemplateView"][];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    templates_publish: {
        parameters: {
            query?: {
                format?: "toml" | "json" | "xlsx";
                /** @description Only check the file and say what publishing would do. */
                dry_run?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["FileBytes"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Published"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    templates_get_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                version: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The template file, canonical JSON */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    units_list: {
        parameters: {
            query?: {
                /** @description Only this unit and those below it. */
                under?: string;
                /** @description Only units of this level. */
                level?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnitView"][];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    units_import: {
        parameters: {
            query: {
                /** @description The file's name; its extension says CSV (`.csv`) or XLSX (`.xlsx`). */
                file: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["FileBytes"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnitsImported"];
                };
            };
            /** @description `invalid_rows` lists every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    units_put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UnitBody"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UnitsImported"];
                };
            };
            /** @description `invalid_rows` lists the problems */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_list: {
        parameters: {
            query?: {
                /** @description Users whose scope lies under this unit. */
                under?: string;
                role?: string;
                /** @description Include disabled users (default false). */
                disabled?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"][];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewUserBody"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Created"];
                };
            };
            /** @description Invalid: `invalid_rows` lists the problems */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `exists`: created meanwhile by another request */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_import: {
        parameters: {
            query: {
                /** @description The file's name; its extension says CSV (`.csv`) or XLSX (`.xlsx`). */
                file: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["FileBytes"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UsersImported"];
                };
            };
            /** @description `invalid_rows` lists every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    users_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserPatch"];
            };
        };
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserView"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    enrol_create: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Enrolment"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in, or the token expired or was revoked */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not allowed for the caller's role or scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description No such thing, or not one the caller may see */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    ratings_weakest: {
        parameters: {
            query?: {
                /** @description A unit of the hierarchy; default the caller's scope. */
                unit?: string;
                template?: string;
                /** @description Visits started at or after / before, ms since the epoch. */
                from?: number;
                to?: number;
                /** @description How many items and sections (default 10). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Weakest"];
                };
            };
            /** @description A parameter or the body is not valid: `bad_request`, or `invalid_rows` with every problem */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Not signed in */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description For managers and administrators */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    system_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OK */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description The database does not answer */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}
