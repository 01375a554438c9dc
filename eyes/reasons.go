package eyes

// reasonPhrases put each feature's low and high values into words a
// marketer reads at a glance; reason codes read "phrase (feature)".
var reasonPhrases = map[string][2]string{
	"recency_days":           {"bought recently", "long since last purchase"},
	"frequency":              {"few purchases", "many purchases"},
	"monetary_total":         {"low total spend", "high total spend"},
	"monetary_avg":           {"small orders", "large orders"},
	"tenure_days":            {"new customer", "long-standing customer"},
	"ipt_mean_days":          {"short gaps between purchases", "long gaps between purchases"},
	"ipt_std_days":           {"steady purchase rhythm", "irregular purchase rhythm"},
	"orders_last_90d":        {"few orders in the last 90 days", "many orders in the last 90 days"},
	"trend_90d":              {"activity falling", "activity rising"},
	"p_alive":                {"unlikely to still be active", "likely still active"},
	"expected_purchases_90d": {"few purchases expected", "many purchases expected"},
	"activity_30d":           {"quiet in the last month", "active in the last month"},
	"activity_180d":          {"quiet in the last six months", "active in the last six months"},
	"email_open_rate":        {"rarely opens e-mails", "often opens e-mails"},
	"email_click_rate":       {"rarely clicks e-mails", "often clicks e-mails"},
	"support_tickets":        {"few support tickets", "many support tickets"},
	"subscriptions":          {"few subscriptions", "many subscriptions"},
}

// oneTimeReason replaces gap-based reasons for customers with one purchase.
const oneTimeReason = "only one purchase so far (frequency)"

// reasonCodes returns the low and high reason codes of a feature.
func reasonCodes(feature string) [2]string {
	p, ok := reasonPhrases[feature]
	if !ok {
		return [2]string{feature + " low", feature + " high"}
	}
	return [2]string{p[0] + " (" + feature + ")", p[1] + " (" + feature + ")"}
}
