extension Array {
    /// Inserts `element` into this array, which is kept in ascending order and at most
    /// `capacity` long: the smallest elements seen so far, as a top-k scan over a large table
    /// keeps them without sorting it. Equal elements keep their arrival order.
    /// - Parameters:
    ///   - element: the candidate.
    ///   - capacity: the most elements kept.
    ///   - areInIncreasingOrder: the ordering.
    mutating func insertKeepingSmallest(
        _ element: Element, capacity: Int, by areInIncreasingOrder: (Element, Element) -> Bool
    ) {
        if count >= capacity, let last, !areInIncreasingOrder(element, last) { return }
        // Insert after every element not greater than `element` (binary search, stable).
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if areInIncreasingOrder(element, self[middle]) { high = middle } else { low = middle + 1 }
        }
        insert(element, at: low)
        if count > capacity { removeLast() }
    }
}
