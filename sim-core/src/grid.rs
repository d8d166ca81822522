//! The lattice: cell indices, coordinates and periodic neighbours.

/// A `width` x `height` lattice with periodic boundaries. Cells are indexed
/// row-major: `index = y * width + x`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grid {
    pub width: u32,
    pub height: u32,
}

impl Grid {
    pub fn new(width: u32, height: u32) -> Grid {
        Grid { width, height }
    }

    pub fn cells(&self) -> usize {
        self.width as usize * self.height as usize
    }

    #[inline]
    pub fn index(&self, x: u32, y: u32) -> u32 {
        y * self.width + x
    }

    #[inline]
    pub fn xy(&self, index: u32) -> (u32, u32) {
        (index % self.width, index / self.width)
    }

    /// The four von Neumann neighbours on the torus, in the order
    /// left, right, up, down.
    #[inline]
    pub fn neighbours4(&self, index: u32) -> [u32; 4] {
        let (x, y) = self.xy(index);
        self.neighbours4_xy(x, y).map(|(x, y)| self.index(x, y))
    }

    /// [`Grid::neighbours4`] as coordinates, with no division.
    #[inline]
    pub fn neighbours4_xy(&self, x: u32, y: u32) -> [(u32, u32); 4] {
        let w = self.width;
        let h = self.height;
        let left = if x == 0 { w - 1 } else { x - 1 };
        let right = if x + 1 == w { 0 } else { x + 1 };
        let up = if y == 0 { h - 1 } else { y - 1 };
        let down = if y + 1 == h { 0 } else { y + 1 };
        [(left, y), (right, y), (x, up), (x, down)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_wrap_around() {
        let g = Grid::new(4, 3);
        assert_eq!(g.neighbours4(g.index(0, 0)), [3, 1, 8, 4]);
        assert_eq!(g.neighbours4(g.index(3, 2)), [10, 8, 7, 3]);
        for i in 0..g.cells() as u32 {
            for n in g.neighbours4(i) {
                assert!(g.neighbours4(n).contains(&i), "neighbourhood is symmetric");
            }
        }
    }
}
