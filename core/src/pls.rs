//! Construct weights by PLS path modelling (methodology S3): Wold's
//! algorithm as Lohmöller wrote it, with standardised indicators, mode A
//! (reflective) outer estimation and the path-weighting inner scheme.
//!
//! Each construct's score is a weighted sum of its indicators. Starting
//! from equal weights, the algorithm alternates: an inner proxy of each
//! construct from its neighbours in the path model (regression on its
//! predecessors, correlation with its successors), then new outer weights,
//! each indicator's correlation with its construct's proxy, scaled so that
//! the score has variance 1. It stops when no weight changes by more than
//! the tolerance, relative to itself. Path coefficients are then ordinary
//! least squares on the standardised scores.
//!
//! Checked against SmartPLS 2.0 on the ECSI mobile-phone data (250
//! respondents, 24 indicators, seven constructs, twelve paths), the
//! reference the R package semPLS tests itself against.

use serde::Serialize;

/// The path model: each construct's indicators (columns of the data) and
/// the paths between constructs.
#[derive(Debug, Clone, PartialEq)]
pub struct PathModel {
    pub blocks: Vec<Vec<usize>>,
    /// (from, to), constructs by index.
    pub paths: Vec<(usize, usize)>,
}

/// When to stop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    pub max_iterations: usize,
    /// Largest relative change of a weight between two rounds.
    pub tolerance: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_iterations: 300,
            tolerance: 1e-7,
        }
    }
}

/// The estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Per construct, its indicators' weights, scaled so that the score of
    /// standardised indicators has variance 1.
    pub weights: Vec<Vec<f64>>,
    /// The same weights summing to 1 in each construct: the form a
    /// template's `weights` take (S3).
    pub relative_weights: Vec<Vec<f64>>,
    /// Per construct, its indicators' correlations with its score.
    pub loadings: Vec<Vec<f64>>,
    /// ((from, to), coefficient), in the model's order.
    pub paths: Vec<((usize, usize), f64)>,
    /// Per construct, the share of its variance its predecessors explain;
    /// `None` for an exogenous construct.
    pub r_squared: Vec<Option<f64>>,
    pub iterations: usize,
    /// Respondents used.
    pub n: usize,
}

/// Why no estimate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlsError {
    #[error("PLS needs more respondents than indicators, and at least 10: {n} answered every item")]
    TooFewRows { n: usize },
    #[error("indicator {column} has the same answer from everyone")]
    Constant { column: usize },
    #[error("the model is not valid: {0}")]
    Model(&'static str),
    #[error("the predecessors of construct {construct} are collinear")]
    Singular { construct: usize },
    #[error("the weights did not settle in {iterations} rounds")]
    NotConverged { iterations: usize },
}

/// Columns standardised (mean 0, standard deviation 1 with n - 1).
fn standardise(columns: &mut [Vec<f64>]) -> Result<(), usize> {
    for (j, c) in columns.iter_mut().enumerate() {
        let n = c.len() as f64;
        let mean = c.iter().sum::<f64>() / n;
        let sd = (c.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        if sd.is_nan() || sd <= 1e-12 {
            return Err(j);
        }
        c.iter_mut().for_each(|x| *x = (*x - mean) / sd);
    }
    Ok(())
}

/// Correlation of two standardised columns.
fn cor(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (a.len() as f64 - 1.0)
}

/// Solves `m x = v` by Gaussian elimination with partial pivoting.
fn solve(mut m: Vec<Vec<f64>>, mut v: Vec<f64>) -> Option<Vec<f64>> {
    let k = v.len();
    for col in 0..k {
        let pivot = (col..k).max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        let (top, below) = m.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (r, row) in below.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            v[col + 1 + r] -= f * v[col];
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|c| m[row][c] * x[c]).sum();
        x[row] = (v[row] - s) / m[row][row];
    }
    Some(x)
}

/// The coefficients of `y` regressed on `xs` (all standardised).
fn regress(scores: &[Vec<f64>], xs: &[usize], y: usize) -> Option<Vec<f64>> {
    let m = xs
        .iter()
        .map(|a| xs.iter().map(|b| cor(&scores[*a], &scores[*b])).collect())
        .collect();
    let v = xs.iter().map(|a| cor(&scores[*a], &scores[y])).collect();
    solve(m, v)
}

/// Each construct's score from the weights, standardised; the weights are
/// rescaled alike so that they give the standardised score.
fn scores(x: &[Vec<f64>], blocks: &[Vec<usize>], weights: &mut [Vec<f64>]) -> Vec<Vec<f64>> {
    let n = x.first().map_or(0, Vec::len);
    blocks
        .iter()
        .zip(weights.iter_mut())
        .map(|(block, w)| {
            let mut y = vec![0.0; n];
            for (col, wi) in block.iter().zip(w.iter()) {
                for (yr, xr) in y.iter_mut().zip(&x[*col]) {
                    *yr += wi * xr;
                }
            }
            let sd = (y.iter().map(|v| v * v).sum::<f64>() / (n as f64 - 1.0)).sqrt();
            y.iter_mut().for_each(|v| *v /= sd);
            w.iter_mut().for_each(|v| *v /= sd);
            y
        })
        .collect()
}

impl PathModel {
    fn check(&self, columns: usize) -> Result<(), PlsError> {
        let c = self.blocks.len();
        if c < 2 || self.paths.is_empty() {
            return Err(PlsError::Model("at least two constructs and one path"));
        }
        let mut seen = vec![false; columns];
        for b in &self.blocks {
            if b.is_empty() {
                return Err(PlsError::Model("a construct without indicators"));
            }
            for col in b {
                if *col >= columns || std::mem::replace(&mut seen[*col], true) {
                    return Err(PlsError::Model(
                        "an indicator outside the data or in two constructs",
                    ));
                }
            }
        }
        if self.paths.iter().any(|(a, b)| a == b || *a >= c || *b >= c) {
            return Err(PlsError::Model("a path to itself or to no construct"));
        }
        Ok(())
    }

    fn predecessors(&self, j: usize) -> Vec<usize> {
        self.paths
            .iter()
            .filter(|p| p.1 == j)
            .map(|p| p.0)
            .collect()
    }
}

/// Estimates the model on `rows` (respondents x indicators, complete rows only).
pub fn estimate(rows: &[Vec<f64>], model: &PathModel, opts: Options) -> Result<Estimate, PlsError> {
    let n = rows.len();
    let columns = rows.first().map_or(0, Vec::len);
    model.check(columns)?;
    if n < 10 || n <= columns {
        return Err(PlsError::TooFewRows { n });
    }
    let mut x: Vec<Vec<f64>> = (0..columns)
        .map(|j| rows.iter().map(|r| r[j]).collect())
        .collect();
    standardise(&mut x).map_err(|column| PlsError::Constant { column })?;
    let c = model.blocks.len();
    let mut weights: Vec<Vec<f64>> = model.blocks.iter().map(|b| vec![1.0; b.len()]).collect();
    let mut y = scores(&x, &model.blocks, &mut weights);
    for iteration in 1..=opts.max_iterations {
        // Inner proxies: regression on predecessors, correlation with successors.
        let mut inner = vec![vec![0.0; c]; c];
        for j in 0..c {
            let pred = model.predecessors(j);
            if !pred.is_empty() {
                let b = regress(&y, &pred, j).ok_or(PlsError::Singular { construct: j })?;
                for (i, bi) in pred.iter().zip(b) {
                    inner[*i][j] = bi;
                }
            }
            for (from, to) in &model.paths {
                if *from == j {
                    inner[*to][j] = cor(&y[*to], &y[j]);
                }
            }
        }
        let proxies: Vec<Vec<f64>> = (0..c)
            .map(|j| {
                let mut z = vec![0.0; n];
                for (i, yi) in y.iter().enumerate() {
                    if inner[i][j] != 0.0 {
                        z.iter_mut()
                            .zip(yi)
                            .for_each(|(zr, v)| *zr += inner[i][j] * v);
                    }
                }
                z
            })
            .collect();
        // Mode A: each indicator's covariance with its proxy (a single
        // indicator keeps its weight).
        let mut next: Vec<Vec<f64>> = model
            .blocks
            .iter()
            .zip(&proxies)
            .map(|(block, z)| {
                if block.len() == 1 {
                    vec![1.0]
                } else {
                    block.iter().map(|col| cor(&x[*col], z)).collect()
                }
            })
            .collect();
        y = scores(&x, &model.blocks, &mut next);
        let change = weights
            .iter()
            .flatten()
            .zip(next.iter().flatten())
            .map(|(old, new)| ((old - new) / new).abs())
            .fold(0.0, f64::max);
        weights = next;
        if change < opts.tolerance {
            return Ok(finish(&x, model, weights, &y, iteration, n));
        }
    }
    Err(PlsError::NotConverged {
        iterations: opts.max_iterations,
    })
}

fn finish(
    x: &[Vec<f64>],
    model: &PathModel,
    weights: Vec<Vec<f64>>,
    y: &[Vec<f64>],
    iterations: usize,
    n: usize,
) -> Estimate {
    let c = model.blocks.len();
    let mut coefficient = vec![vec![None; c]; c];
    let mut r_squared = vec![None; c];
    for (j, r2) in r_squared.iter_mut().enumerate() {
        let pred = model.predecessors(j);
        if pred.is_empty() {
            continue;
        }
        // Checked regular inside the loop, on these same scores.
        if let Some(b) = regress(y, &pred, j) {
            *r2 = Some(
                pred.iter()
                    .zip(&b)
                    .map(|(i, bi)| bi * cor(&y[*i], &y[j]))
                    .sum(),
            );
            for (i, bi) in pred.iter().zip(b) {
                coefficient[*i][j] = Some(bi);
            }
        }
    }
    Estimate {
        relative_weights: weights
            .iter()
            .map(|w| {
                let s: f64 = w.iter().sum();
                w.iter().map(|v| v / s).collect()
            })
            .collect(),
        loadings: model
            .blocks
            .iter()
            .zip(y)
            .map(|(block, yj)| block.iter().map(|col| cor(&x[*col], yj)).collect())
            .collect(),
        paths: model
            .paths
            .iter()
            .map(|p| (*p, coefficient[p.0][p.1].unwrap_or(f64::NAN)))
            .collect(),
        weights,
        r_squared,
        iterations,
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ECSI mobile-phone data (Tenenhaus et al. 2005: 250 respondents,
    /// 24 indicators), from the file `FIELDCHECK_MOBI_CSV` names: the CSV
    /// GoogleCloudPlatform/plspm-python keeps at tests/data/mobi.csv. It is
    /// not ours to ship, so the test runs when it is given.
    fn mobi() -> Option<(Vec<String>, Vec<Vec<f64>>)> {
        let text = std::fs::read_to_string(std::env::var_os("FIELDCHECK_MOBI_CSV")?).ok()?;
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()?
            .split(',')
            .skip(1)
            .map(|h| h.trim_matches('"').to_string())
            .collect();
        let rows = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                l.split(',')
                    .skip(1)
                    .map(|v| v.parse().expect("a number"))
                    .collect()
            })
            .collect();
        Some((header, rows))
    }

    /// Image, expectation, quality, value, satisfaction, complaints,
    /// loyalty, and the twelve paths of the ECSI model.
    fn ecsi(header: &[String]) -> PathModel {
        let cols = |names: &[&str]| -> Vec<usize> {
            names
                .iter()
                .map(|n| header.iter().position(|h| h == n).expect("column"))
                .collect()
        };
        PathModel {
            blocks: vec![
                cols(&["IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"]),
                cols(&["CUEX1", "CUEX2", "CUEX3"]),
                cols(&[
                    "PERQ1", "PERQ2", "PERQ3", "PERQ4", "PERQ5", "PERQ6", "PERQ7",
                ]),
                cols(&["PERV1", "PERV2"]),
                cols(&["CUSA1", "CUSA2", "CUSA3"]),
                cols(&["CUSCO"]),
                cols(&["CUSL1", "CUSL2", "CUSL3"]),
            ],
            paths: vec![
                (0, 1),
                (0, 4),
                (0, 6),
                (1, 2),
                (1, 3),
                (1, 4),
                (2, 3),
                (2, 4),
                (3, 4),
                (4, 5),
                (4, 6),
                (5, 6),
            ],
        }
    }

    /// SmartPLS 2.0.M3, path weighting, data mean 0 and variance 1, as
    /// published with semPLS (tests/SmartPLS/results/ecsi/pathWeighting).
    const WEIGHTS: [f64; 24] = [
        0.30131215, 0.25969115, 0.21792305, 0.32850357, 0.32468141, // image
        0.52118068, 0.47367966, 0.44563424, // expectation
        0.21317504, 0.14472169, 0.20001771, 0.17939947, 0.17863569, 0.17912074,
        0.21548153, // quality
        0.47928245, 0.60405602, // value
        0.36486486, 0.38315604, 0.45096120, // satisfaction
        1.0,        // complaints
        0.46066473, 0.11426953, 0.65431059, // loyalty
    ];
    const PATHS: [f64; 12] = [
        0.50491393, 0.17873950, 0.19575534, 0.55674896, 0.04998839, 0.06252287, 0.55830438,
        0.51202394, 0.19476510, 0.52806625, 0.48547762, 0.06692607,
    ];
    const LOADINGS: [f64; 24] = [
        0.74520807, 0.59920038, 0.57635896, 0.76876167, 0.74445242, 0.77076718, 0.69124548,
        0.60781262, 0.80317813, 0.63814644, 0.78374692, 0.76947974, 0.75472136, 0.77464331,
        0.77986483, 0.90221120, 0.93962478, 0.79241243, 0.84702146, 0.85669268, 1.0, 0.82041320,
        0.20202172, 0.91543628,
    ];

    #[test]
    #[ignore = "needs the ECSI data: FIELDCHECK_MOBI_CSV=path/to/mobi.csv"]
    fn the_ecsi_model_matches_smartpls() {
        let (header, rows) = mobi().expect("FIELDCHECK_MOBI_CSV names the ECSI data");
        assert_eq!((rows.len(), header.len()), (250, 24));
        let e = estimate(&rows, &ecsi(&header), Options::default()).expect("estimate");
        let weights: Vec<f64> = e.weights.iter().flatten().copied().collect();
        for (got, want) in weights.iter().zip(WEIGHTS) {
            assert!((got - want).abs() < 1e-6, "weights {weights:?}");
        }
        let loadings: Vec<f64> = e.loadings.iter().flatten().copied().collect();
        for (got, want) in loadings.iter().zip(LOADINGS) {
            assert!((got - want).abs() < 1e-6, "loadings {loadings:?}");
        }
        for ((_, got), want) in e.paths.iter().zip(PATHS) {
            assert!((got - want).abs() < 1e-6, "paths {:?}", e.paths);
        }
        // R² of satisfaction, from the published weights and loadings.
        let sat = e.r_squared[4].expect("endogenous");
        assert!((sat - 0.681078).abs() < 1e-5, "{sat}");
        assert_eq!(e.r_squared[0], None);
        // The weights an index uses sum to 1 in each construct.
        for w in &e.relative_weights {
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(e.n, 250);
    }

    /// Pearson's correlation, computed directly.
    fn pearson(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    /// The dominant eigenvector of the symmetric [[a, b], [b, c]], summing to 1.
    fn dominant(a: f64, b: f64, c: f64) -> [f64; 2] {
        let lambda = (a + c) / 2.0 + (((a - c) / 2.0).powi(2) + b * b).sqrt();
        let v = [b, lambda - a];
        let s = v[0] + v[1];
        [v[0] / s, v[1] / s]
    }

    /// Two constructs of two indicators, X -> Y. In mode A each block's
    /// weights converge to the dominant singular vectors of the
    /// cross-correlation matrix R_XY (Wold's inter-battery case), which a
    /// 2 x 2 matrix gives in closed form; the path is the correlation of the
    /// scores, and R² its square.
    #[test]
    fn two_constructs_converge_to_the_singular_vectors_of_their_cross_correlations() {
        // Deterministic noise from a linear congruential generator.
        let mut state = 12345_u64;
        let mut noise = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5
        };
        let rows: Vec<Vec<f64>> = (0..400)
            .map(|_| {
                let f = noise() * 2.0;
                let g = 0.6 * f + 0.8 * noise() * 2.0;
                vec![
                    f + 0.2 * noise(),
                    f + 1.0 * noise(),
                    g + 0.2 * noise(),
                    g + 1.0 * noise(),
                ]
            })
            .collect();
        let col = |j: usize| rows.iter().map(|r| r[j]).collect::<Vec<f64>>();
        let r = |i: usize, j: usize| pearson(&col(i), &col(j));
        let (r02, r03, r12, r13) = (r(0, 2), r(0, 3), r(1, 2), r(1, 3));
        // R R' for X's weights, R' R for Y's.
        let wx = dominant(
            r02 * r02 + r03 * r03,
            r02 * r12 + r03 * r13,
            r12 * r12 + r13 * r13,
        );
        let wy = dominant(
            r02 * r02 + r12 * r12,
            r02 * r03 + r12 * r13,
            r03 * r03 + r13 * r13,
        );
        let model = PathModel {
            blocks: vec![vec![0, 1], vec![2, 3]],
            paths: vec![(0, 1)],
        };
        let e = estimate(&rows, &model, Options::default()).expect("estimate");
        for (got, want) in e
            .relative_weights
            .iter()
            .flatten()
            .zip(wx.iter().chain(&wy))
        {
            assert!(
                (got - want).abs() < 1e-6,
                "{:?} against {wx:?} {wy:?}",
                e.relative_weights
            );
        }
        // The better indicator of each construct weighs more.
        assert!(wx[0] > wx[1] && wy[0] > wy[1]);
        let path = e.paths[0].1;
        assert!((e.r_squared[1].expect("r2") - path * path).abs() < 1e-12);
    }

    #[test]
    fn bad_data_and_models_are_refused() {
        let rows: Vec<Vec<f64>> = (0..20)
            .map(|i| vec![i as f64, 3.0, (i * i) as f64])
            .collect();
        let model = PathModel {
            blocks: vec![vec![0], vec![1, 2]],
            paths: vec![(0, 1)],
        };
        assert_eq!(
            estimate(&rows, &model, Options::default()),
            Err(PlsError::Constant { column: 1 })
        );
        assert_eq!(
            estimate(&rows[..5], &model, Options::default()),
            Err(PlsError::TooFewRows { n: 5 })
        );
        let shared = PathModel {
            blocks: vec![vec![0, 2], vec![2]],
            paths: vec![(0, 1)],
        };
        assert!(matches!(
            estimate(&rows, &shared, Options::default()),
            Err(PlsError::Model(_))
        ));
    }
}
