extension ReportJSON {
    /// One experiment's entry of the report, as in SPEC §6's `experiments` array (`GET /experiments/{id}`).
    public static func render(experiment: Report.ExperimentSummary, style: Style = .pretty) -> String {
        JSONWriter.text(of: value(of: experiment), style: style)
    }

    /// A guest's profile (`GET /guests/{id}`): `id`, `points`, `sessions`, `session` (`id`,
    /// `number`, `open`, `points`, `views`, `events`, `last_ts`), `goals` (id → times reached),
    /// `outcomes` (ids reached), `data`, `experiments` (id → variant).
    public static func render(profile: GuestProfile, style: Style = .pretty) -> String {
        let data: [(String, JSONWriter.Value)] = profile.data.map { entry in
            switch entry.value {
            case .string(let text): (entry.key, .string(text))
            case .integer(let number): (entry.key, .int(Int(number)))
            case .number(let number): (entry.key, .double(number))
            case .boolean(let flag): (entry.key, .bool(flag))
            }
        }
        let value = JSONWriter.Value.object([
            ("id", .string(profile.id)),
            ("points", .double(profile.points)),
            ("sessions", .int(profile.sessions)),
            ("session", .object([
                ("id", .string(profile.session.id)),
                ("number", .int(profile.session.number)),
                ("open", .bool(profile.session.isOpen)),
                ("points", .double(profile.session.points)),
                ("views", .int(profile.session.views)),
                ("events", .int(profile.session.events)),
                ("last_ts", .int(Int(profile.session.lastTimestamp))),
            ])),
            ("goals", .object(profile.goals.map { ($0.id, .int($0.times)) })),
            ("outcomes", .array(profile.outcomes.map { .string($0) })),
            ("data", .object(data)),
            ("experiments", .object(profile.experiments.map { ($0.experiment, .string($0.variant)) })),
        ])
        return JSONWriter.text(of: value, style: style)
    }

    /// `text` as a JSON string literal (for hand-built JSON such as the service's answers).
    public static func quoted(_ text: String) -> String {
        var output = ""
        JSONWriter.appendQuoted(text, to: &output)
        return output
    }
}
