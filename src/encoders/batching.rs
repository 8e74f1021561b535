//! Dynamic padding: inputs are grouped by token length so each batch pads only to its own longest
//! item, and results are scattered back to input order by the caller.

use candle_core::{Device, Tensor};

/// One batch of tokenised inputs on the host, packed one after another, as every backend takes
/// it (the layout of text-embeddings-inference's `Batch`): no padding, no device, no tensors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBatch {
    /// Token ids of every input, special tokens included.
    pub input_ids: Vec<u32>,
    /// Their segment ids (0 for the first sequence, 1 for the second of a pair).
    pub type_ids: Vec<u32>,
    /// Where each input starts in them, then the end: one more entry than inputs.
    pub cu_seqlens: Vec<usize>,
    /// The tokenizer's padding id, for backends that pad.
    pub pad_id: u32,
}

impl TokenBatch {
    /// Packs `items` (ids, type ids).
    pub fn new(items: &[(&[u32], &[u32])], pad_id: u32) -> Self {
        let mut batch = TokenBatch {
            input_ids: Vec::new(),
            type_ids: Vec::new(),
            cu_seqlens: vec![0],
            pad_id,
        };
        for (ids, types) in items {
            batch.input_ids.extend_from_slice(ids);
            batch.type_ids.extend_from_slice(types);
            batch.cu_seqlens.push(batch.input_ids.len());
        }
        batch
    }

    /// The number of inputs.
    pub fn len(&self) -> usize {
        self.cu_seqlens.len() - 1
    }

    /// True for a batch of no inputs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Input `i`'s ids and type ids.
    pub fn item(&self, i: usize) -> (&[u32], &[u32]) {
        let (a, b) = (self.cu_seqlens[i], self.cu_seqlens[i + 1]);
        (&self.input_ids[a..b], &self.type_ids[a..b])
    }
}

/// A [`TokenBatch`] padded on a candle device: ids, token type ids and attention mask, all
/// `[b, t]` u32.
pub struct PaddedBatch {
    /// Token ids, padded with the tokenizer's pad id.
    pub input_ids: Tensor,
    /// Segment ids (0 for the first sequence, 1 for the second of a pair; 0 on padding).
    pub type_ids: Tensor,
    /// 1 for real tokens, 0 for padding.
    pub attention_mask: Tensor,
}

impl PaddedBatch {
    /// Pads `batch` to its longest input and moves it to `device`.
    pub fn new(batch: &TokenBatch, device: &Device) -> candle_core::Result<Self> {
        let rows = batch.len();
        let width = (0..rows).map(|i| batch.item(i).0.len()).max().unwrap_or(0);
        let mut ids = vec![batch.pad_id; rows * width];
        let mut types = vec![0u32; rows * width];
        let mut mask = vec![0u32; rows * width];
        for row in 0..rows {
            let (item_ids, item_types) = batch.item(row);
            let base = row * width;
            ids[base..base + item_ids.len()].copy_from_slice(item_ids);
            types[base..base + item_types.len()].copy_from_slice(item_types);
            mask[base..base + item_ids.len()].fill(1);
        }
        Ok(Self {
            input_ids: Tensor::from_vec(ids, (rows, width), device)?,
            type_ids: Tensor::from_vec(types, (rows, width), device)?,
            attention_mask: Tensor::from_vec(mask, (rows, width), device)?,
        })
    }

    /// Pads `items` (ids, type ids) to the longest one and moves them to `device`.
    pub fn pad(
        items: &[(&[u32], &[u32])],
        pad_id: u32,
        device: &Device,
    ) -> candle_core::Result<Self> {
        Self::new(&TokenBatch::new(items, pad_id), device)
    }
}

/// Splits input indices into batches of at most `batch_size`, longest first, so that items of
/// similar length share a batch. An item also starts a new batch when it is under half as long
/// as the batch's first (longest) one: padding then never exceeds the text it pads, where one
/// long quote among short ones would otherwise make the whole batch that long. Ties keep input
/// order, so the plan is deterministic.
pub fn plan_batches(lengths: &[usize], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    let mut batches: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match batches.last_mut() {
            Some(batch)
                if batch.len() < batch_size.max(1) && 2 * lengths[i] >= lengths[batch[0]] =>
            {
                batch.push(i)
            }
            _ => batches.push(vec![i]),
        }
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_group_similar_lengths_and_cover_every_input_once() {
        let lengths = [3, 10, 4, 10, 1, 7];
        let plan = plan_batches(&lengths, 2);
        assert_eq!(plan, vec![vec![1, 3], vec![5, 2], vec![0], vec![4]]);
        let mut seen: Vec<usize> = plan.concat();
        seen.sort();
        assert_eq!(seen, (0..lengths.len()).collect::<Vec<_>>());
        assert!(plan_batches(&[], 8).is_empty());
        assert_eq!(plan_batches(&[1, 2], 0), vec![vec![1], vec![0]]);
    }

    #[test]
    fn one_long_text_does_not_pad_a_batch_of_short_ones() {
        let plan = plan_batches(&[10, 100, 12, 11, 50], 8);
        assert_eq!(plan, vec![vec![1, 4], vec![2, 3, 0]]);
    }

    #[test]
    fn packing_keeps_each_input_whole() {
        let batch = TokenBatch::new(&[(&[101, 7, 102], &[0, 0, 0]), (&[101, 102], &[0, 1])], 0);
        assert_eq!(batch.cu_seqlens, [0, 3, 5]);
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.item(1), (&[101, 102][..], &[0, 1][..]));
        assert!(TokenBatch::new(&[], 0).is_empty());
    }

    #[test]
    fn padding_masks_only_real_tokens() {
        let batch = PaddedBatch::pad(
            &[(&[101, 7, 102], &[0, 0, 0]), (&[101, 102], &[0, 1])],
            0,
            &Device::Cpu,
        )
        .unwrap();
        assert_eq!(
            batch.input_ids.to_vec2::<u32>().unwrap(),
            vec![vec![101, 7, 102], vec![101, 102, 0]]
        );
        assert_eq!(
            batch.type_ids.to_vec2::<u32>().unwrap(),
            vec![vec![0, 0, 0], vec![0, 1, 0]]
        );
        assert_eq!(
            batch.attention_mask.to_vec2::<u32>().unwrap(),
            vec![vec![1, 1, 1], vec![1, 1, 0]]
        );
    }
}
