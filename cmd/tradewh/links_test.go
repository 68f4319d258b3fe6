package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A link dropped in a job's folder that leads out of it is not followed:
// the load fails naming the link and the setting, and quotes nothing of
// the file it points to. With follow_links: true the file is read, and
// being no data file, what the messages and rejected_rows quote of it is
// a short prefix of its first line at most.
func TestLinksOutOfAJobsFolder(t *testing.T) {
	const secret = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
	sheet := []string{"--set", "table=trade_flows", "--set", "columns={period: Year, partner_iso3: Partner, hs_code: HS, value_usd: Value}",
		"--set", "constants={freq: A, flow: import, reporter_iso3: USA}"}
	for _, tc := range []struct {
		kind, link, path string // path: what the job is given, under the inbox
		set              []string
	}{
		{"usgs-mcs", "mcs2025-evil_salient.csv", ".", []string{"--set", "inbox=true"}},
		{"comtrade-csv", "flows.csv", "*.csv", nil},
		{"baci", "BACI_HS17_Y2022_V202401.csv", "BACI_*.csv", []string{"--set", "hs_codes=*"}},
		{"sheet", "broker.csv", "*.csv", sheet},
		{"measures", "measures.csv", "*.csv", nil},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			dir := t.TempDir()
			target, inbox := filepath.Join(dir, "etc", "passwd"), filepath.Join(dir, "inbox")
			for _, d := range []string{filepath.Dir(target), inbox} {
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(target, []byte(secret), 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(inbox, tc.link)
			if err := os.Symlink(target, link); err != nil {
				t.Skipf("no symbolic links here: %v", err)
			}
			path := filepath.Join(inbox, tc.path)
			quoted := func(what, s string) {
				t.Helper()
				for _, leak := range []string{"/bin/bash", "daemon"} {
					if strings.Contains(s, leak) {
						t.Errorf("%s quotes %q of the linked file:\n%s", what, leak, s)
					}
				}
			}
			wh := filepath.Join(dir, "wh")
			args := append([]string{"--warehouse", wh, "load", "--no-export", "--source", tc.kind}, tc.set...)
			code, out, errs := cli(t, append(args, path)...)
			if want := link + " leads through a link to " + target; code == 0 || !strings.Contains(errs, want) || !strings.Contains(errs, "follow_links: true") {
				t.Errorf("exit %d\nstdout: %s\nstderr: %s\nwant a failure saying %s ... follow_links: true", code, out, errs, want)
			}
			if strings.Contains(out+errs, "root:x") {
				t.Errorf("the refusal quotes the linked file:\n%s%s", out, errs)
			}

			args = append(args, "--set", "follow_links=true", path)
			_, out, errs = cli(t, args...)
			if !strings.Contains(out+errs, target) && !strings.Contains(out+errs, tc.link) {
				t.Errorf("with follow_links the file is not read:\n%s%s", out, errs)
			}
			quoted("the load", out+errs)
			db := queryDB(t, wh)
			var rej string
			if err := db.QueryRow(`SELECT coalesce(string_agg(reason || ' ' || coalesce(raw, ''), '; '), '') FROM rejected_rows`).Scan(&rej); err != nil {
				t.Fatal(err)
			}
			quoted("rejected_rows", rej)
		})
	}
}
