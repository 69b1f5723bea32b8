//! Small charts drawn as inline SVG from the data itself (no chart service, no script): lines
//! over time, vertical bars, horizontal bars and a donut. Each has a `<title>` for screen readers
//! and the numbers also appear in the table under each chart.

use leptos::prelude::*;

const W: f64 = 640.0;
const H: f64 = 220.0;
const PAD_L: f64 = 44.0;
const PAD_B: f64 = 24.0;
const PAD_T: f64 = 10.0;

/// A "nice" axis maximum ≥ `max` (1, 2, 5 × 10ⁿ).
pub fn nice_max(max: i64) -> i64 {
    if max <= 0 {
        return 1;
    }
    let mut step = 1i64;
    loop {
        for m in [1, 2, 5] {
            if m * step >= max {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// The polyline points of `values` over the plot area for an axis maximum `top`.
pub fn line_points(values: &[i64], top: i64) -> String {
    let n = values.len().max(2) as f64 - 1.0;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = PAD_L + (W - PAD_L - 8.0) * i as f64 / n;
            let y = PAD_T + (H - PAD_T - PAD_B) * (1.0 - *v as f64 / top as f64);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Horizontal grid lines with their values at 0, ½ and the top.
fn grid(top: i64) -> impl IntoView {
    [0, top / 2, top]
        .into_iter()
        .map(|v| {
            let y = PAD_T + (H - PAD_T - PAD_B) * (1.0 - v as f64 / top as f64);
            view! {
                <line class="grid" x1=PAD_L x2=W y1=y y2=y></line>
                <text class="axis" x=PAD_L - 4.0 y=y + 4.0 text-anchor="end">{v}</text>
            }
        })
        .collect_view()
}

/// Every `k`-th label under the x axis, so they do not overlap.
fn x_labels(labels: &[String], centred: bool) -> impl IntoView {
    let n = labels.len().max(1);
    let every = n.div_ceil(12);
    let span = W - PAD_L - 8.0;
    labels
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, l)| {
            let x = if centred { PAD_L + span * (i as f64 + 0.5) / n as f64 } else { PAD_L + span * i as f64 / (n.max(2) - 1) as f64 };
            view! { <text class="axis" x=x y=H - 6.0 text-anchor="middle">{l.clone()}</text> }
        })
        .collect_view()
}

/// One line per series (name, CSS class, values) over the `labels` (days …).
#[component]
pub fn LineChart(title: String, labels: Vec<String>, series: Vec<(String, &'static str, Vec<i64>)>) -> impl IntoView {
    let top = nice_max(series.iter().flat_map(|s| s.2.iter().copied()).max().unwrap_or(0));
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone() class="chart-svg line-chart">
                <title>{title.clone()}</title>
                {grid(top)}
                {series
                    .iter()
                    .map(|(name, class, values)| {
                        view! {
                            <polyline class=format!("series {class}") fill="none" points=line_points(values, top)>
                                <title>{name.clone()}</title>
                            </polyline>
                        }
                    })
                    .collect_view()}
                {x_labels(&labels, false)}
            </svg>
            <figcaption class="legend">
                {series
                    .into_iter()
                    .map(|(name, class, _)| view! { <span class=format!("key {class}")>{name}</span> })
                    .collect_view()}
            </figcaption>
        </figure>
    }
}

/// Vertical bars of `values` over `labels` (hours of the day …).
#[component]
pub fn BarChart(title: String, labels: Vec<String>, values: Vec<i64>) -> impl IntoView {
    let top = nice_max(values.iter().copied().max().unwrap_or(0));
    let n = values.len().max(1) as f64;
    let slot = (W - PAD_L - 8.0) / n;
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title.clone() class="chart-svg bar-chart">
                <title>{title.clone()}</title>
                {grid(top)}
                {values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let h = (H - PAD_T - PAD_B) * *v as f64 / top as f64;
                        let label = labels.get(i).cloned().unwrap_or_default();
                        view! {
                            <rect class="bar" x=PAD_L + slot * i as f64 + slot * 0.15 y=H - PAD_B - h width=slot * 0.7 height=h>
                                <title>{format!("{label}: {v}")}</title>
                            </rect>
                        }
                    })
                    .collect_view()}
                {x_labels(&labels, true)}
            </svg>
        </figure>
    }
}

/// Horizontal bars of (label, value), longest first as given.
#[component]
pub fn HBarChart(title: String, rows: Vec<(String, i64)>) -> impl IntoView {
    let top = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let row_h = 22.0;
    let height = row_h * rows.len().max(1) as f64 + 4.0;
    let label_w = 130.0;
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {height}") role="img" aria-label=title.clone() class="chart-svg hbar-chart">
                <title>{title.clone()}</title>
                {rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, v))| {
                        let y = 2.0 + row_h * i as f64;
                        let w = (W - label_w - 70.0) * v as f64 / top as f64;
                        view! {
                            <text class="axis" x=label_w - 6.0 y=y + 15.0 text-anchor="end">{label.clone()}</text>
                            <rect class="bar" x=label_w y=y + 3.0 width=w height=row_h - 6.0>
                                <title>{format!("{label}: {v}")}</title>
                            </rect>
                            <text class="value" x=label_w + w + 6.0 y=y + 15.0>{v}</text>
                        }
                    })
                    .collect_view()}
            </svg>
        </figure>
    }
}

/// The arc of a donut slice from fraction `a` to `b` of the circle (centre 0,0, radius 1).
pub fn arc_path(a: f64, b: f64) -> String {
    let (r, inner) = (1.0, 0.6);
    let pt = |f: f64, rad: f64| {
        let t = std::f64::consts::TAU * f - std::f64::consts::FRAC_PI_2;
        (rad * t.cos(), rad * t.sin())
    };
    // A full circle cannot be one arc: stop just short of it.
    let b = if b - a >= 1.0 { a + 0.9999 } else { b };
    let large = if b - a > 0.5 { 1 } else { 0 };
    let (x1, y1) = pt(a, r);
    let (x2, y2) = pt(b, r);
    let (x3, y3) = pt(b, inner);
    let (x4, y4) = pt(a, inner);
    format!("M{x1:.4} {y1:.4} A{r} {r} 0 {large} 1 {x2:.4} {y2:.4} L{x3:.4} {y3:.4} A{inner} {inner} 0 {large} 0 {x4:.4} {y4:.4} Z")
}

/// A donut of (label, value) slices with a legend of values and shares.
#[component]
pub fn Donut(title: String, slices: Vec<(String, i64)>) -> impl IntoView {
    let total: i64 = slices.iter().map(|s| s.1.max(0)).sum();
    let mut at = 0.0;
    let arcs = slices
        .iter()
        .enumerate()
        .filter(|(_, s)| s.1 > 0 && total > 0)
        .map(|(i, (label, v))| {
            let f = *v as f64 / total as f64;
            let d = arc_path(at, at + f);
            at += f;
            view! {
                <path class=format!("slice s{}", i % 8) d=d>
                    <title>{format!("{label}: {v}")}</title>
                </path>
            }
        })
        .collect_view();
    view! {
        <figure class="chart donut">
            <svg viewBox="-1.1 -1.1 2.2 2.2" role="img" aria-label=title.clone() class="chart-svg donut-chart">
                <title>{title.clone()}</title>
                {arcs}
            </svg>
            <figcaption class="legend">
                {slices
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, v))| {
                        let share = if total > 0 { v * 1000 / total } else { 0 };
                        view! {
                            <span class=format!("key s{}", i % 8)>
                                {format!("{label} {v} ({}.{}%)", share / 10, share % 10)}
                            </span>
                        }
                    })
                    .collect_view()}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(130), 200);
        assert_eq!(nice_max(500), 500);
    }

    #[test]
    fn lines_span_the_plot() {
        let p = line_points(&[0, 10], 10);
        assert_eq!(p, format!("{:.1},{:.1} {:.1},{:.1}", PAD_L, H - PAD_B, W - 8.0, PAD_T));
        assert!(arc_path(0.0, 1.0).starts_with("M0.0000 -1.0000 A1 1 0 1 1"));
    }
}
