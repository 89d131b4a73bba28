"""Our own Learner: the training loop of the series in one small class. Introduced in 06_optimizer.

It needs the five things fastai's `Learner` needs (DataLoaders with `.train` and `.valid`, a model,
an optimizer function, a loss function, a metric), moves every batch to the device that holds the
model, and prints one row of a table per epoch. The class below is the very code of the notebook's
cell; tests/test_learner.py checks that the two stay the same.
"""
import torch


class Learner:
    "Our own Learner: the five things fastai's Learner needs, and the loop that uses them. Used in: 09_full_mnist."
    def __init__(self, dls, model, opt_func, loss_func, metric):
        self.dls, self.model, self.opt_func, self.loss_func, self.metric = dls, model, opt_func, loss_func, metric
        self.history = []   # one row per epoch: (epoch, train loss, valid loss, metric)

    def batches(self, dl):
        "The batches of `dl`, moved to the device that holds the model's parameters."
        device = next(self.model.parameters()).device
        for xb, yb in dl:
            yield xb.to(device), yb.to(device)

    def train_epoch(self):
        "One pass over the training batches, a step for each; returns the mean training loss."
        self.model.train()
        total, n = 0.0, 0
        for xb, yb in self.batches(self.dls.train):
            loss = self.loss_func(self.model(xb), yb)
            loss.backward()
            self.opt.step()
            self.opt.zero_grad()
            total, n = total + loss.item() * len(xb), n + len(xb)
        return total / n

    def validate(self):
        "The mean loss and the mean metric over the validation batches, each batch counting by its size."
        self.model.eval()
        loss, metric, n = 0.0, 0.0, 0
        with torch.no_grad():
            for xb, yb in self.batches(self.dls.valid):
                preds = self.model(xb)
                loss += float(self.loss_func(preds, yb)) * len(xb)
                metric += float(self.metric(preds, yb)) * len(xb)
                n += len(xb)
        return loss / n, metric / n

    def fit(self, epochs, lr):
        "Train for `epochs` more epochs at learning rate `lr`, printing one row of the table per epoch."
        self.opt = self.opt_func(self.model.parameters(), lr)
        name = getattr(self.metric, "__name__", "metric")
        print(f"{'epoch':>5}  {'train_loss':>10}  {'valid_loss':>10}  {name:>14}")
        for epoch in range(len(self.history), len(self.history) + epochs):
            row = (epoch, self.train_epoch(), *self.validate())
            self.history.append(row)
            print(f"{row[0]:>5}  {row[1]:>10.4f}  {row[2]:>10.4f}  {row[3]:>14.4f}")
