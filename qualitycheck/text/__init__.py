"""Text layer: sentences, protected spans (quotes, 《》), jieba segmentation."""
