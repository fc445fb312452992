package storage

import "testing"

func TestReplaceIDWholeIDsOnly(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"cus_4", "P"},
		{"send nps cus_4", "send nps P"},
		{"delivered-cus_4-7", "delivered-P-7"},
		{"order_cus_4_1", "order_P_1"},
		{"cus_42 and cus_4, xcus_4", "cus_42 and P, xcus_4"},
		{"cus_4cus_4", "cus_4cus_4"},
		{"שלום cus_4:", "שלום P:"},
		{"", ""},
	} {
		if got := replaceID(c.in, "cus_4", "P"); got != c.want {
			t.Errorf("replaceID(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}
