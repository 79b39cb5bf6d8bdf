/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) on standardized features. simple-statistics
 * has no logistic regression, and with a dozen features the exact Newton step (a 10×10 solve) converges in a few
 * passes where gradient descent would need a learning rate tuned per store.
 */
export interface LogisticFit {
  readonly weights: number[];
  readonly intercept: number;
  readonly iterations: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Solves A x = b in place by Gaussian elimination with partial pivoting (A is small and positive definite). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) pivot = row;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row][col] / a[col][col];
      for (let k = col; k < n; k++) a[row][k] -= factor * a[col][k];
      b[row] -= factor * b[col];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let s = b[row];
    for (let k = row + 1; k < n; k++) s -= a[row][k] * x[k];
    x[row] = s / a[row][row];
  }
  return x;
}

/** `rows` are already standardized; `l2` penalizes the weights, never the intercept. */
export function fitLogistic(rows: readonly (readonly number[])[], labels: readonly number[], l2: number): LogisticFit {
  const d = rows[0].length + 1;
  let beta = new Array<number>(d).fill(0);
  let iterations = 0;
  for (; iterations < 50; iterations++) {
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    const gradient = new Array<number>(d).fill(0);
    for (let i = 0; i < rows.length; i++) {
      // x = [1, ...row], read in place (x[j] is row[j - 1] past the intercept): a copy per row and iteration was
      // most of a refit's allocation.
      const row = rows[i];
      let z = beta[0];
      for (let j = 1; j < d; j++) z += beta[j] * row[j - 1];
      const p = sigmoid(z);
      const w = Math.max(p * (1 - p), 1e-9);
      for (let j = 0; j < d; j++) {
        const xj = j === 0 ? 1 : row[j - 1];
        gradient[j] += (labels[i] - p) * xj;
        const hj = hessian[j];
        for (let k = j; k < d; k++) hj[k] += w * xj * (k === 0 ? 1 : row[k - 1]);
      }
    }
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < j; k++) hessian[j][k] = hessian[k][j];
      if (j > 0) {
        hessian[j][j] += l2;
        gradient[j] -= l2 * beta[j];
      }
    }
    const step = solve(hessian, gradient);
    beta = beta.map((b, j) => b + step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { intercept: beta[0], weights: beta.slice(1), iterations };
}
