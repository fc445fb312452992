package surveys

// BuiltinSurveys are the surveys a workspace has without a configuration
// file: one per metric, each with its id as the metric's name, the built-in
// wordings in every locale, a follow-up "why?" and DefaultExpiry.
func BuiltinSurveys() []Survey {
	metrics := []Metric{NPS, CSAT, CES, ENPS}
	out := make([]Survey, len(metrics))
	for i, m := range metrics {
		out[i] = Survey{ID: string(m), Metric: m, FollowUp: true, ExpiresAfter: DefaultExpiry}
	}
	return out
}
