package cost

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Change is what a pull request does to the monthly bill: each line whose
// price differs, and the totals.
type Change struct {
	// Old is nil for a tree that did not exist before.
	Old *Bill `json:"old,omitempty"`
	New *Bill `json:"new"`
	// NoPrices is set when either side's region has no prices.
	NoPrices string       `json:"noPrices,omitempty"`
	Lines    []LineChange `json:"lines,omitempty"`
	OldTotal float64      `json:"oldTotal"`
	NewTotal float64      `json:"newTotal"`
	Delta    float64      `json:"delta"`
}

// LineChange is one line on either side whose monthly amount differs.
type LineChange struct {
	Kind      string  `json:"kind"`
	Item      string  `json:"item"`
	OldDetail string  `json:"oldDetail,omitempty"`
	NewDetail string  `json:"newDetail,omitempty"`
	Old       float64 `json:"old"`
	New       float64 `json:"new"`
}

// Compare prices a change from old to new; old may be nil.
func Compare(old, new *Bill) *Change {
	c := &Change{Old: old, New: new}
	for _, b := range []*Bill{old, new} {
		if b != nil && b.NoPrices != "" && c.NoPrices == "" {
			c.NoPrices = b.NoPrices
		}
	}
	if c.NoPrices != "" {
		return c
	}
	oldLines := map[string]Line{}
	if old != nil {
		c.OldTotal = old.Total
		for _, l := range old.Lines {
			oldLines[l.Key()] = l
		}
	}
	c.NewTotal = new.Total
	c.Delta = c.NewTotal - c.OldTotal
	seen := map[string]bool{}
	for _, l := range new.Lines {
		seen[l.Key()] = true
		o, had := oldLines[l.Key()]
		if had && Cents(o.Monthly) == Cents(l.Monthly) {
			continue
		}
		c.Lines = append(c.Lines, LineChange{Kind: l.Kind, Item: l.Item, OldDetail: o.Detail, NewDetail: l.Detail, Old: o.Monthly, New: l.Monthly})
	}
	if old != nil {
		for _, l := range old.Lines {
			if !seen[l.Key()] {
				c.Lines = append(c.Lines, LineChange{Kind: l.Kind, Item: l.Item, OldDetail: l.Detail, Old: l.Monthly})
			}
		}
	}
	return c
}

// Summary is the one-line statement of a change: "monthly cost $A → $B
// (+$C)", or why there is none.
func (c *Change) Summary() string {
	if c.NoPrices != "" {
		return "monthly cost: " + c.NoPrices
	}
	if c.Old == nil {
		return fmt.Sprintf("monthly cost: %s (new)", money(c.NewTotal))
	}
	return "monthly cost: " + Delta(c.OldTotal, c.NewTotal)
}

// Delta states a change of amount: "$A → $B (+$C)".
func Delta(old, new float64) string {
	return fmt.Sprintf("%s → %s (%s)", money(old), money(new), signed(new-old))
}

// signed shows a change with its sign; "±$0.00" when none.
func signed(v float64) string {
	switch {
	case Cents(v) > 0:
		return "+" + money(v)
	case Cents(v) < 0:
		return "-" + money(-v)
	}
	return "±$0.00"
}

// WriteText writes a bill as an aligned table, for size --cost.
func WriteText(w io.Writer, b *Bill) error {
	var sb strings.Builder
	if b.NoPrices != "" {
		fmt.Fprintf(&sb, "Monthly cost of %s: %s\n", b.Cluster, b.NoPrices)
		_, err := io.WriteString(w, sb.String())
		return err
	}
	fmt.Fprintf(&sb, "Monthly cost of %s in %s, on demand (USD, prices dated %s):\n", b.Cluster, b.Region, b.PricesDate)
	rows := [][4]string{}
	for _, l := range b.Lines {
		rows = append(rows, [4]string{l.Kind, l.Item, l.Detail, money(l.Monthly)})
	}
	rows = append(rows, [4]string{"total", "", "", money(b.Total)})
	var wd [4]int
	for _, r := range rows {
		for i, c := range r {
			wd[i] = max(wd[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		sb.WriteString("  " + pad(r[0], wd[0]) + "  " + pad(r[1], wd[1]) + "  " + pad(r[2], wd[2]) + "  " +
			strings.Repeat(" ", wd[3]-utf8.RuneCountInString(r[3])) + r[3] + "\n")
	}
	writeNotes(&sb, b)
	_, err := io.WriteString(w, sb.String())
	return err
}

func writeNotes(sb *strings.Builder, b *Bill) {
	for _, u := range b.Unpriced {
		fmt.Fprintf(sb, "Not priced: %s\n", u)
	}
	if len(b.Usage) > 0 {
		fmt.Fprintf(sb, "Not in the total (billed by use): %s.\n", strings.Join(b.Usage, "; "))
	}
	fmt.Fprintf(sb, "Prices: %s\n", b.PricesSource)
}

// WriteChangeText writes a change for diff's text report.
func WriteChangeText(w io.Writer, c *Change) error {
	var sb strings.Builder
	sb.WriteString(c.Summary() + "\n")
	for _, l := range c.Lines {
		fmt.Fprintf(&sb, "  %s %s: %s → %s (%s)", l.Kind, l.Item, money(l.Old), money(l.New), signed(l.New-l.Old))
		if l.NewDetail != "" {
			fmt.Fprintf(&sb, "  [%s]", l.NewDetail)
		}
		sb.WriteString("\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// WriteChangeMarkdown writes a change as the cost section of a PR comment.
func WriteChangeMarkdown(w io.Writer, c *Change) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "**%s**\n", mdEscape(capitalize(c.Summary())))
	if len(c.Lines) > 0 {
		sb.WriteString("\n| | item | before | after | change |\n|---|---|--:|--:|--:|\n")
		for _, l := range c.Lines {
			fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s |\n", mdEscape(l.Kind), mdEscape(l.Item), money(l.Old), money(l.New), signed(l.New-l.Old))
		}
	}
	if c.NoPrices == "" && c.New != nil {
		fmt.Fprintf(&sb, "\n<sub>On-demand USD per month, prices dated %s (%s). Not in the total: %s.</sub>\n",
			c.New.PricesDate, mdEscape(c.New.PricesSource), mdEscape(strings.Join(c.New.Usage, "; ")))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func mdEscape(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }

// pad left-aligns s in w runes.
func pad(s string, w int) string { return s + strings.Repeat(" ", w-utf8.RuneCountInString(s)) }

// PriceChange prices an old and a new tree on today's support dates with
// the pinned table. An old tree that does not exist yet (no files) costs
// nothing.
func PriceChange(old, new []manifest.File, today time.Time) (*Change, error) {
	t := Pinned()
	in, err := FromTree(new)
	if err != nil {
		return nil, err
	}
	var oldBill *Bill
	if len(old) > 0 {
		oin, err := FromTree(old)
		if err != nil {
			return nil, fmt.Errorf("the old tree: %w", err)
		}
		oldBill = Estimate(oin, t, today)
	}
	return Compare(oldBill, Estimate(in, t, today)), nil
}
