package deploy_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type prometheusConfig struct {
	ScrapeConfigs []scrapeJob `yaml:"scrape_configs"`
}

type scrapeJob struct {
	JobName       string `yaml:"job_name"`
	MetricsPath   string `yaml:"metrics_path"`
	StaticConfigs []struct {
		Targets []string `yaml:"targets"`
	} `yaml:"static_configs"`
	DNSSDConfigs []struct {
		Names []string `yaml:"names"`
		Port  int      `yaml:"port"`
	} `yaml:"dns_sd_configs"`
}

func loadPrometheus(t *testing.T) prometheusConfig {
	t.Helper()
	var c prometheusConfig
	decodeYAML(t, "prometheus/prometheus.yml", &c)
	return c
}

// omnifyJobs are the scrape jobs aimed at compose's omnify services.
func (c prometheusConfig) omnifyJobs(t *testing.T) []scrapeJob {
	t.Helper()
	var jobs []scrapeJob
	for _, j := range c.ScrapeConfigs {
		for _, host := range j.hosts() {
			if slices.Contains(omnifyServices, host) {
				jobs = append(jobs, j)
				break
			}
		}
	}
	if len(jobs) == 0 {
		t.Fatal("prometheus scrapes none of the omnify services")
	}
	return jobs
}

func (j scrapeJob) hosts() []string {
	var hosts []string
	for _, d := range j.DNSSDConfigs {
		hosts = append(hosts, d.Names...)
	}
	for _, s := range j.StaticConfigs {
		for _, target := range s.Targets {
			host, _, _ := strings.Cut(target, ":")
			hosts = append(hosts, host)
		}
	}
	return hosts
}

type scrapeTarget struct {
	host string
	port int
}

// targets lists the job's omnify hosts with the port scraped on each.
func (j scrapeJob) targets() []scrapeTarget {
	var out []scrapeTarget
	for _, d := range j.DNSSDConfigs {
		for _, n := range d.Names {
			out = append(out, scrapeTarget{n, d.Port})
		}
	}
	for _, s := range j.StaticConfigs {
		for _, target := range s.Targets {
			host, port, _ := strings.Cut(target, ":")
			p, _ := strconv.Atoi(port)
			out = append(out, scrapeTarget{host, p})
		}
	}
	return slices.DeleteFunc(out, func(t scrapeTarget) bool { return !slices.Contains(omnifyServices, t.host) })
}

func TestPrometheusScrapesEveryOmnifyService(t *testing.T) {
	c := loadPrometheus(t)
	scraped := map[string]bool{}
	live := newLiveRoutes(t)
	for _, j := range c.omnifyJobs(t) {
		path := j.MetricsPath
		if path == "" {
			path = "/metrics" // Prometheus's default
		}
		live.requireOK(t, "prometheus job "+j.JobName, path)
		for _, h := range j.hosts() {
			scraped[h] = true
		}
	}
	for _, s := range omnifyServices {
		if !scraped[s] {
			t.Errorf("prometheus does not scrape the %s service", s)
		}
	}
}

type grafanaDashboard struct {
	UID    string `json:"uid"`
	Panels []struct {
		Title      string     `json:"title"`
		Datasource datasource `json:"datasource"`
		Targets    []struct {
			Expr       string     `json:"expr"`
			Datasource datasource `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type grafanaDatasources struct {
	Datasources []struct {
		Name string `yaml:"name"`
		UID  string `yaml:"uid"`
		Type string `yaml:"type"`
		URL  string `yaml:"url"`
	} `yaml:"datasources"`
}

func loadDashboard(t *testing.T) grafanaDashboard {
	t.Helper()
	b, err := os.ReadFile("grafana/dashboards/omnify.json")
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("parse dashboard: %v", err)
	}
	if d.UID == "" || len(d.Panels) == 0 {
		t.Fatal("dashboard has no uid or no panels")
	}
	return d
}

func TestGrafanaPanelsUseProvisionedDatasources(t *testing.T) {
	var ds grafanaDatasources
	decodeYAML(t, "grafana/provisioning/datasources/datasources.yml", &ds)
	uids := map[string]string{}
	for _, d := range ds.Datasources {
		uids[d.UID] = d.Type
	}
	services := loadCompose(t).Services
	for _, d := range ds.Datasources {
		host := strings.Split(strings.TrimPrefix(d.URL, "http://"), ":")[0]
		if _, ok := services[host]; !ok {
			t.Errorf("datasource %q points at %s, not a compose service", d.Name, d.URL)
		}
	}
	for _, p := range loadDashboard(t).Panels {
		refs := []datasource{p.Datasource}
		for _, tg := range p.Targets {
			refs = append(refs, tg.Datasource)
		}
		for _, r := range refs {
			if r.UID == "" {
				continue
			}
			if typ, ok := uids[r.UID]; !ok || typ != r.Type {
				t.Errorf("panel %q uses datasource %+v, not provisioned", p.Title, r)
			}
		}
	}
}

var (
	promMetricRE  = regexp.MustCompile(`\b((?:omnify|go|process)_[a-z0-9_]+)`)
	histogramPart = regexp.MustCompile(`_(bucket|sum|count)$`)
)

// TestGrafanaMetricsExist checks every metric a panel queries: omnify_*
// against the names the Go code registers, go_* and process_* against what
// a live server exports.
func TestGrafanaMetricsExist(t *testing.T) {
	registered := sourceMetrics(t)
	live := newLiveRoutes(t)
	live.requireOK(t, "warm-up", "/health")
	_, exported := live.get(t, "/metrics")
	seen := 0
	for _, p := range loadDashboard(t).Panels {
		for _, tg := range p.Targets {
			for _, m := range promMetricRE.FindAllString(tg.Expr, -1) {
				seen++
				if strings.HasPrefix(m, "omnify_") {
					if !registered[m] && !registered[histogramPart.ReplaceAllString(m, "")] {
						t.Errorf("panel %q queries %s, which nothing registers", p.Title, m)
					}
				} else if !strings.Contains(exported, "\n"+m+" ") && !strings.Contains(exported, "\n"+m+"{") {
					t.Errorf("panel %q queries %s, which /metrics does not export", p.Title, m)
				}
			}
		}
	}
	for _, want := range []string{"omnify_http_requests_total", "omnify_http_request_duration_seconds", "omnify_redis_up"} {
		if !dashboardQueries(t, want) {
			t.Errorf("no panel shows %s", want)
		}
	}
	if seen == 0 {
		t.Fatal("dashboard queries no metrics")
	}
}

func dashboardQueries(t *testing.T, metric string) bool {
	for _, p := range loadDashboard(t).Panels {
		for _, tg := range p.Targets {
			if strings.Contains(tg.Expr, metric) {
				return true
			}
		}
	}
	return false
}

// TestGrafanaDashboardIsMounted checks that the dashboards provider reads
// the folder compose mounts the dashboard JSON into.
func TestGrafanaDashboardIsMounted(t *testing.T) {
	var prov struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	decodeYAML(t, "grafana/provisioning/dashboards/dashboards.yml", &prov)
	mounts := map[string]string{}
	for _, v := range loadCompose(t).Services["grafana"].Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			mounts[parts[1]] = parts[0]
		}
	}
	if len(prov.Providers) == 0 {
		t.Fatal("no dashboard provider")
	}
	for _, p := range prov.Providers {
		src, ok := mounts[p.Options.Path]
		if !ok {
			t.Errorf("provider path %s is not mounted into grafana", p.Options.Path)
			continue
		}
		if _, err := os.Stat(src + "/omnify.json"); err != nil {
			t.Errorf("provider path %s is mounted from %s, which holds no omnify.json: %v", p.Options.Path, src, err)
		}
	}
}
