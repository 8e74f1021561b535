//! Dynamic padding: inputs are grouped by token length so each batch pads only to its own longest
//! item, and results are scattered back to input order by the caller.

use candle_core::{Device, Tensor};

/// One padded batch on the model's device: ids, token type ids and attention mask, all `[b, t]` u32.
pub struct TokenBatch {
    /// Token ids, padded with the tokenizer's pad id.
    pub input_ids: Tensor,
    /// Segment ids (0 for the first sequence, 1 for the second of a pair; 0 on padding).
    pub type_ids: Tensor,
    /// 1 for real tokens, 0 for padding.
    pub attention_mask: Tensor,
}

impl TokenBatch {
    /// Pads `items` (ids, type ids) to the longest one and moves them to `device`.
    pub fn pad(
        items: &[(&[u32], &[u32])],
        pad_id: u32,
        device: &Device,
    ) -> candle_core::Result<Self> {
        let width = items.iter().map(|(ids, _)| ids.len()).max().unwrap_or(0);
        let rows = items.len();
        let mut ids = vec![pad_id; rows * width];
        let mut types = vec![0u32; rows * width];
        let mut mask = vec![0u32; rows * width];
        for (row, (item_ids, item_types)) in items.iter().enumerate() {
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
    fn padding_masks_only_real_tokens() {
        let batch = TokenBatch::pad(
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
