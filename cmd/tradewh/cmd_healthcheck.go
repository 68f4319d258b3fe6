package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// defaultHealthURL is /healthz on the scheduler's default listen address.
const defaultHealthURL = "http://127.0.0.1:9464/healthz"

func newHealthcheckCmd(g *globals) *cobra.Command {
	var url, configPath string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck [--config FILE | --url URL]",
		Short: "Ask a running scheduler's /healthz: exit 0 when healthy, 1 otherwise",
		Long: `Ask the /healthz endpoint of a running 'tradewh schedule' and exit 0 when it answers 200,
1 otherwise (503 names the failing jobs, or a warehouse folder the scheduler cannot write; no
answer means the scheduler is not running). With
--config, the address is the config's http.listen. It needs no curl or wget, so a container's
HEALTHCHECK can run it.`,
		Example: `  tradewh healthcheck
  tradewh healthcheck --config /etc/tradewh/jobs.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath != "" {
				if cmd.Flags().Changed("url") {
					return usagef("give --config or --url, not both")
				}
				cfg, err := loadJobConfig(configPath)
				if err != nil {
					return err
				}
				if cfg.HTTP.Listen == "" {
					return fmt.Errorf("%s: http.listen is empty: the scheduler serves no /healthz", configPath)
				}
				url = healthURL(cfg.HTTP.Listen)
			}
			client := &http.Client{Timeout: timeout}
			req, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, url, nil)
			if err != nil {
				return usagef("--url: %v", err)
			}
			resp, err := client.Do(req)
			if err != nil {
				return fmt.Errorf("no answer from %s: %w", url, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			text := strings.TrimSpace(string(body))
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: %s: %s", url, resp.Status, text)
			}
			fmt.Fprintln(g.stdout, text)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", defaultHealthURL, "health endpoint to ask")
	cmd.Flags().StringVar(&configPath, "config", "", "job config file (or 'live'): ask /healthz on its http.listen")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "how long to wait for an answer")
	return cmd
}

// healthURL is /healthz on a listen address; a wildcard host is asked on
// loopback.
func healthURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "http://" + listen + "/healthz"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}
